/**
 * The bot under load and faults, against the emulator with the real engine and renderer, on both backends (SQLite and
 * the in-process queue; PostgreSQL, BullMQ and a worker): twenty users at once, the queue's limits, a restart with
 * jobs in the queue, an interaction token that would die first, the Message Content intent, and a token Discord
 * refuses.
 */
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { withoutModel } from '../helpers/model.ts';
import type { DiscordEmulator, EmulatedInteraction, StoredMessage } from './emulator/discord-emulator.ts';
import { MESSAGE_CONTENT_INTENT } from './emulator/discord-emulator.ts';
import { readOggOpus } from './files.ts';
import {
  BACKENDS, BOT_TOKEN, TestStorage, startEmulator, startTestBot, testConfig, type ConfigOverrides, type Harness,
} from './harness.ts';
import { eventually } from './wait.ts';

const FAST = { prompt: 'happy piano in 4/4 at 200 bpm', bars: 1, takes: 1 };

function hasTake(emulator: DiscordEmulator, interaction: EmulatedInteraction): boolean {
  return [emulator.original(interaction), ...emulator.followups(interaction)].some((stored) => stored?.message.attachments.length === 3);
}

async function ephemeralAnswer(emulator: DiscordEmulator, interaction: EmulatedInteraction): Promise<string> {
  const callback = await emulator.waitFor(() => interaction.callback, 10_000, 'an answer');
  expect(callback.type).toBe(4);
  expect(callback.data.flags & 64).toBe(64);
  return callback.data.content as string;
}

describe.each(BACKENDS)('on $backend', ({ backend, skip }) => {
  describe.skipIf(withoutModel() || skip())('the bot under load and faults', () => {
    let emulator: DiscordEmulator;
    const storage = new TestStorage(backend);
    const running: Harness[] = [];

    /** A bot (and with Redis its worker) on fresh storage, or on `stored` to start again where another left off. */
    async function bot(config: ConfigOverrides, stored?: Awaited<ReturnType<TestStorage['fresh']>>): Promise<Harness> {
      const where = stored ?? await storage.fresh();
      const harness = await startTestBot(emulator, testConfig(where.dbPath, { ...where, ...config }));
      running.push(harness);
      return harness;
    }

    async function stop(harness: Harness, graceMs = 0): Promise<void> {
      const index = running.indexOf(harness);
      if (index >= 0) running.splice(index, 1);
      await harness.stop(graceMs);
    }

    beforeAll(async () => {
      emulator = await startEmulator();
    });

    // A test that fails before it stops its bot must not leave it connected to the shared emulator, where it would
    // answer (and fail) the next tests.
    afterEach(async () => {
      for (const harness of running.splice(0)) await harness.stop().catch(() => {});
    });

    afterAll(async () => {
      await emulator?.stop();
      await storage.drop();
    });

    it('answers twenty users who ask at once, none lost, showing their places in line', async () => {
      const h = await bot({ queue: { concurrency: 2, maxWaiting: 25, perUserInFlight: 2, cooldownMs: 0 } });
      const interactions = Array.from({ length: 20 }, (_, i) => emulator.slashCommand(emulator.user(`crowd-${i}`), 'compose', FAST));
      await emulator.waitFor(() => interactions.every((interaction) => hasTake(emulator, interaction)), 90_000, 'twenty takes');
      for (const interaction of interactions) {
        expect(interaction.timeline[0]).toBe('callback:5');
        const original = emulator.original(interaction)!;
        expect(original.message.attachments).toHaveLength(3);
        expect(readOggOpus(original.files.get((original.message.attachments[0] as { id: string }).id)!.bytes).seconds).toBeGreaterThan(1);
      }
      const places = interactions.flatMap((interaction) => emulator.original(interaction)!.contents)
        .map((content) => /You are (next|number (\d+)) in line/.exec(content))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => (match[1] === 'next' ? 1 : Number(match[2])));
      // Two run at once and eighteen wait: most of them are shown where they stand, some far back.
      expect(new Set(places).size).toBeGreaterThanOrEqual(5);
      expect(Math.max(...places)).toBeGreaterThanOrEqual(10);
      const stats = await h.bot.store.stats();
      expect(stats).toMatchObject({ requests: 20, takes: 20 });
      await eventually(async () => (await h.bot.store.unfinishedJobs()).jobs.length === 0, 5_000, 'every job finished');
      expect(h.logs.records().filter((record) => (record.level as number) >= 50)).toEqual([]);
      await stop(h, 5_000);
    });

    it('says "busy", "one at a time" and "wait a moment" in plain words when the limits are reached', async () => {
      const h = await bot({ queue: { concurrency: 1, maxWaiting: 1, perUserInFlight: 1, cooldownMs: 60_000 } });
      const [ann, ben, cat] = ['ann', 'ben', 'cat'].map((name) => emulator.user(name));
      // Sent together, so all four are admitted (or not) before the first job can finish: one runs, one waits.
      const first = emulator.slashCommand(ann, 'compose', FAST);
      const second = emulator.slashCommand(ben, 'compose', FAST);
      const third = emulator.slashCommand(cat, 'compose', FAST);
      const again = emulator.slashCommand(ann, 'compose', FAST);
      expect(await ephemeralAnswer(emulator, third)).toBe('Motif is busy right now: try again in a minute.');
      expect(await ephemeralAnswer(emulator, again)).toBe('You already have 1 pieces on the way: wait for one to finish, then ask again.');
      expect(first.callback?.type).toBe(5);
      expect(second.callback?.type).toBe(5);
      await emulator.waitFor(() => hasTake(emulator, first) && hasTake(emulator, second), 30_000, 'both takes');
      expect(await ephemeralAnswer(emulator, emulator.slashCommand(ann, 'compose', FAST))).toMatch(/^One moment: you can ask again in \d+ s\.$/);
      expect((await h.bot.store.stats()).requests).toBe(2);
      await stop(h);
    });

    // The store is edited by hand here (SQLite); with BullMQ, workers-and-faults.test.ts kills a worker instead.
    if (backend === 'embedded') it('finishes the jobs a restart cut off, tells the user of one cut off twice, and counts votes on older messages', async () => {
      const stored = await storage.fresh();
      const { dbPath } = stored;
      const before = await bot({ queue: { concurrency: 1, maxWaiting: 10, perUserInFlight: 2, cooldownMs: 0 } }, stored);
      const early = emulator.slashCommand(emulator.user('early'), 'compose', FAST);
      await emulator.waitFor(() => hasTake(emulator, early), 30_000, 'the first take');
      const earlyMessage = emulator.original(early)!.message.id;

      const cutOff = ['r1', 'r2', 'r3'].map((name) => emulator.slashCommand(emulator.user(name), 'compose', { ...FAST, takes: 2 }));
      // Stopped as soon as the first job has posted its first take: cut off half-way.
      await emulator.waitFor(() => emulator.original(cutOff[0])?.message.attachments.length === 3, 20_000, 'the first job half done');
      await stop(before);
      await eventually(() => emulator.connectedClients === 0, 5_000, 'the old client gone');
      const store = new SqliteStore(dbPath);
      const unfinished = (await store.unfinishedJobs()).jobs;
      await store.close();
      expect(unfinished.map((job) => job.status).sort()).toEqual(['queued', 'queued', 'running']);
      // The third job is taken as one that was already cut off by a restart before.
      const lastJob = unfinished[unfinished.length - 1];
      const db = new Database(dbPath);
      db.prepare('UPDATE jobs SET attempts = 2, status = ? WHERE id = ?').run('running', lastJob.id);
      // And a job row that cannot be read (a damaged database): it must not keep the bot from starting.
      const { lastInsertRowid: damaged } = db.prepare(`INSERT INTO jobs (kind, user_id, channel_id, payload, reply, status, created_at)
        VALUES ('compose', 'someone', 'c', '{"kind": "compose"', '{}', 'queued', 1)`).run();
      db.close();

      const after = await bot({ queue: { concurrency: 1, maxWaiting: 10, perUserInFlight: 2, cooldownMs: 0 } }, stored);
      expect(after.bot.recovered).toEqual({ requeued: 2, abandoned: 1, unreadable: 1 });
      expect(after.logs.records().find((record) => record.msg === 'an unfinished job could not be read: marked failed'))
        .toMatchObject({ job: Number(damaged), problem: `cannot read the payload of jobs row ${damaged}: it is not JSON` });
      const takesOf = (interaction: EmulatedInteraction) => [emulator.original(interaction), ...emulator.followups(interaction)]
        .filter((stored): stored is StoredMessage => stored?.message.attachments.length === 3);
      await emulator.waitFor(() => takesOf(cutOff[0]).length === 2 && takesOf(cutOff[1]).length === 2, 60_000, 'the cut-off jobs finished');
      const lost = emulator.original(cutOff[2])!;
      expect(lost.message.content).toMatch(/^Sorry: Motif restarted twice while working on "happy piano/);
      expect(lost.message.attachments).toEqual([]);
      await eventually(async () => (await after.bot.store.unfinishedJobs()).jobs.length === 0, 10_000, 'no unfinished job');
      // Each cut-off request has exactly its two takes: none duplicated, none lost.
      for (const requestId of [2, 3]) expect(await after.bot.store.takesOfRequest(requestId)).toHaveLength(2);

      // A vote on a message the bot posted before the restart (not in the new client's cache).
      const take = (await after.bot.store.takeByMessage(earlyMessage))!;
      emulator.react(emulator.user('voter'), earlyMessage, '👍');
      await eventually(async () => (await after.bot.store.votesOf(take.id)).up === 1, 5_000, 'the vote');
      await stop(after);
    });

    it('counts the votes cast and taken back while it was away', async () => {
      const stored = await storage.fresh();
      const before = await bot({}, stored);
      const asked = emulator.slashCommand(emulator.user('voted-on'), 'compose', { ...FAST, takes: 2 });
      const [first, second] = await emulator.waitFor(() => {
        const posted = [emulator.original(asked), ...emulator.followups(asked)].filter((found) => found?.message.attachments.length === 3);
        return posted.length === 2 ? posted.map((found) => found!.message.id) : undefined;
      }, 30_000, 'two takes');
      const [firstTake, secondTake] = await eventually(async () => {
        const takes = [await before.bot.store.takeByMessage(first), await before.bot.store.takeByMessage(second)];
        return takes.every(Boolean) ? takes.map((take) => take!) : undefined;
      }, 5_000, 'both takes linked');
      const [ann, ben, cy] = ['away-ann', 'away-ben', 'away-cy'].map((name) => emulator.user(name));
      emulator.react(ann, first, '👍');
      emulator.react(ben, first, '👎');
      await eventually(async () => (await before.bot.store.votesOf(firstTake.id)).down === 1 && (await before.bot.store.votesOf(firstTake.id)).up === 1, 5_000, 'two votes');
      await stop(before);
      await eventually(() => emulator.connectedClients === 0, 5_000, 'the bot gone');
      // While nobody listens: ann takes hers back, cy votes with a skin tone, ben votes on the other take too.
      emulator.unreact(ann, first, '👍');
      emulator.react(cy, first, '👍🏽');
      emulator.react(ben, second, '👍');

      const after = await bot({}, stored);
      expect(await after.bot.votesReconciled).toEqual({ takes: 2, changed: 3 });
      expect(await after.bot.store.votesOf(firstTake.id)).toEqual({ up: 1, down: 1 });
      expect((await after.bot.store.votesOnTake(firstTake.id)).map((vote) => vote.userId).sort()).toEqual([ben.id, cy.id].sort());
      expect(await after.bot.store.votesOf(secondTake.id)).toEqual({ up: 1, down: 0 });
      await stop(after);
    });

    it('posts to the channel, mentioning its user, when the interaction token would die before the music is ready', async () => {
      const h = await bot({});
      const user = emulator.user('patient');
      // Created 14.5 minutes ago: its token has 30 s left, less than the bot will risk.
      const old = emulator.slashCommand(user, 'compose', FAST, 14.5 * 60_000);
      const post = await emulator.waitFor(() => emulator.channelPosts().find((stored) => stored.message.content === `For <@${user.id}>:` && stored.message.attachments.length === 3), 30_000, 'a channel post');
      // The reply that said "thinking" says where the music will be, while the token still works...
      expect(old.timeline).toEqual(['callback:5', 'edit']);
      expect(emulator.original(old)!.message.content).toBe('This is taking a while: I will post the music in this channel and mention you.');
      // ...and the post mentions that one person, nobody else.
      const sent = emulator.requests.find((request) => request.method === 'POST' && request.json?.content === `For <@${user.id}>:`);
      expect(sent?.json?.allowed_mentions).toEqual({ parse: [], users: [user.id], roles: [], replied_user: false });
      const take = await eventually(() => h.bot.store.takeByMessage(post.message.id), 5_000, 'the take');
      expect(take.origin).toBe('compose');
      await stop(h);
    });

    it('with the Message Content intent, takes any reply to a take as a request for a variation', async () => {
      const h = await bot({ messageContent: true });
      expect(emulator.identifies).toBeGreaterThan(0);
      const user = emulator.user('chatty');
      const compose = emulator.slashCommand(user, 'compose', FAST);
      await emulator.waitFor(() => hasTake(emulator, compose), 30_000, 'a take');
      // Posted, then linked to its message: a reply before the link would not find the take.
      await eventually(() => h.bot.store.takeByMessage(emulator.original(compose)!.message.id), 5_000, 'the take linked to its message');
      const ask = emulator.userMessage(user, 'make it sadder', { replyTo: emulator.original(compose)!.message.id, ping: false });
      const [reply] = await emulator.waitFor(() => {
        const replies = emulator.repliesTo(ask.id).filter((stored) => stored.message.attachments.length === 3);
        return replies.length ? replies : undefined;
      }, 30_000, 'the variation');
      const variation = await eventually(() => h.bot.store.takeByMessage(reply.message.id), 5_000, 'the variation take');
      expect(variation).toMatchObject({ origin: 'variation', instruction: 'make it sadder' });
      await stop(h);
    });

    if (backend === 'embedded') it('stops with one clear message, without the token, when Discord refuses the token', async () => {
      const wrong = `${BOT_TOKEN.slice(0, -4)}XXXX`;
      const config = { ...testConfig((await storage.fresh()).dbPath), token: wrong };
      const error = await startTestBot(emulator, config).then(() => undefined, (failure: unknown) => failure);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe('Discord refused DISCORD_TOKEN: reset the token on the developer portal (Bot page) and put the new one in .env.');
      expect((error as Error).message).not.toContain(wrong);
      expect(MESSAGE_CONTENT_INTENT).toBe(1 << 15);
    });
  });
});
