/**
 * The bot end to end: the real discord.js client against the Discord emulator, the real engine (the test model) and
 * real rendering. Slash commands, replies, buttons, votes and every kind of bad input, in one session of one bot; on
 * both backends (SQLite and the in-process queue; PostgreSQL, BullMQ and a worker that posts through REST alone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeScore, headerLength } from '../../src/tokens/tokenizer.ts';
import { votePairs } from '../../src/store/preferences.ts';
import type { TakeRecord } from '../../src/store/types.ts';
import { withoutModel } from '../helpers/model.ts';
import type { EmulatedInteraction, StoredMessage } from './emulator/discord-emulator.ts';
import { readMidiFile, readOggOpus, readPng, noteCount } from './files.ts';
import { BACKENDS, BOT_TOKEN, TestStorage, startEmulator, startTestBot, testConfig, type Harness } from './harness.ts';
import { eventually, sleep } from './wait.ts';

const NO_MENTIONS = { parse: [], users: [], roles: [], replied_user: false };
const PROMPT = 'upbeat piano in 4/4 at 180 bpm';

describe.each(BACKENDS)('on $backend', ({ backend, skip }) => {
  describe.skipIf(withoutModel() || skip())('the Discord bot against the emulator', () => {
    let h: Harness;
    const storage = new TestStorage(backend);
    const emulator = () => h.emulator;
    const store = () => h.bot.store;

    beforeAll(async () => {
      const where = await storage.fresh();
      h = await startTestBot(await startEmulator(), testConfig(where.dbPath, where));
    });

    afterAll(async () => {
      await h?.stop();
      await h?.emulator.stop();
      await storage.drop();
    });

    /** Waits until an interaction's reply (original and follow-ups) holds `takes` takes, each with three files. */
    async function takesOf(interaction: EmulatedInteraction, takes: number): Promise<StoredMessage[]> {
      return emulator().waitFor(() => {
        const messages = [emulator().original(interaction), ...emulator().followups(interaction)].filter((stored): stored is StoredMessage => stored !== undefined);
        const withFiles = messages.filter((stored) => stored.message.attachments.length === 3);
        return withFiles.length >= takes ? withFiles : undefined;
      }, 60_000, `${takes} takes`);
    }

    async function ephemeralAnswer(interaction: EmulatedInteraction): Promise<string> {
      const callback = await emulator().waitFor(() => interaction.callback, 10_000, 'an answer');
      expect(callback.type).toBe(4);
      expect(callback.data.flags & 64).toBe(64);
      return callback.data.content as string;
    }

    /** The take posted as `messageId` (linked right after the post). */
    function takeFor(messageId: string): Promise<TakeRecord> {
      return eventually(() => store().takeByMessage(messageId), 5_000, `the take of message ${messageId}`);
    }

    function fileOf(stored: StoredMessage, extension: string): Uint8Array {
      const attachment = (stored.message.attachments as { id: string; filename: string }[]).find((entry) => entry.filename.endsWith(extension));
      expect(attachment, `a ${extension} attachment`).toBeDefined();
      return stored.files.get(attachment!.id)!.bytes;
    }

    let firstTakes: TakeRecord[];
    let firstMessages: StoredMessage[];
    const alice = () => emulator().user('alice');

    it('connects through the gateway, identifies once and keeps its heartbeat acknowledged', async () => {
      expect(emulator().identifies).toBe(1);
      expect(emulator().connectedClients).toBe(1);
      await eventually(() => emulator().heartbeats >= 1, 5_000, 'a heartbeat');
      expect(emulator().unhandled).toEqual([]);
    });

    it('/compose defers at once, shows progress, edits the reply into take 1 with an Ogg Opus, a MIDI and a PNG, and posts take 2 as a follow-up', async () => {
      const interaction = emulator().slashCommand(alice(), 'compose', { prompt: PROMPT, bars: 1 });
      const messages = await takesOf(interaction, 2);
      expect(interaction.timeline[0]).toBe('callback:5');
      expect(interaction.timeline.filter((step) => step === 'followup')).toHaveLength(1);
      expect(interaction.timeline.indexOf('followup')).toBeGreaterThan(interaction.timeline.lastIndexOf('edit'));
      const original = emulator().original(interaction)!;
      expect(original.contents.some((content) => /^Composing take 1 of 2/.test(content))).toBe(true);
      expect(messages[0]).toBe(original);

      const uploads = emulator().requests.filter((request) => request.multipart && request.files.length === 3);
      expect(uploads.length).toBeGreaterThanOrEqual(2);
      // The store links a take to its message right after the post.
      const takes = await eventually(async () => {
        const found = await store().takesOfRequest(1);
        return found.length === 2 && found.every((take) => take.messageId) ? found : undefined;
      }, 5_000, 'both takes linked to their messages');
      expect(new Set(takes.map((take) => take.seed)).size).toBe(2);
      expect(takes.map((take) => take.messageId)).toEqual(messages.map((stored) => stored.message.id));
      // What a preference pair needs (docs/PREFERENCES.md): a new piece forces its header only; the sampling it used.
      for (const take of takes) expect(take).toMatchObject({ forcedTokens: headerLength(take.tokens), sampling: h.composer.sampling });

      for (const [index, stored] of messages.entries()) {
        const take = takes[index];
        const ogg = readOggOpus(fileOf(stored, '.ogg'));
        expect(ogg.channels).toBe(2);
        // One 4/4 bar at 180 BPM is 1.33 s; the take adds a release tail.
        expect(ogg.seconds).toBeGreaterThan(1.3);
        expect(ogg.seconds).toBeLessThan(8);
        const midi = readMidiFile(fileOf(stored, '.mid'));
        expect(noteCount(midi)).toBe(noteCount(decodeScore(take.tokens)));
        expect(noteCount(midi)).toBeGreaterThan(0);
        const png = readPng(fileOf(stored, '.png'));
        expect(png.width).toBeGreaterThanOrEqual(320);
        expect(png.inkedFraction).toBeGreaterThan(0.01);

        const embed = stored.message.embeds[0] as { title: string; description: string; fields: { name: string; value: string }[]; image: { url: string } };
        const field = (name: string) => embed.fields.find((entry) => entry.name === name)?.value;
        expect(embed.title).toBe(`Take ${index + 1} of 2 · #${take.id}`);
        expect(embed.description).toBe(PROMPT);
        expect(field('Tempo')).toBe('180 BPM');
        expect(field('Meter')).toBe('4/4');
        expect(field('Bars')).toBe('1');
        expect(field('Seed')).toBe(String(take.seed));
        expect(field('Model')).toBe(take.modelId);
        expect(field('Instruments')).toMatch(/piano/i);
        expect(field('Key')).toBeDefined();
        expect(embed.image.url).toBe(`attachment://motif-${take.id}.png`);
        const buttons = (stored.message.components[0] as { components: { custom_id: string; label: string }[] }).components;
        expect(buttons.map((button) => button.label)).toEqual(['Vary', 'Regenerate', 'Extend']);
        expect(buttons.map((button) => button.custom_id)).toEqual([`take:vary:${take.id}`, `take:regen:${take.id}`, `take:extend:${take.id}`]);
      }
      // The vote reactions, added by the bot, which do not count as votes.
      await eventually(() => messages.every((stored) => stored.reactions.get('👍')?.has(emulator().bot.id) && stored.reactions.get('👎')?.has(emulator().bot.id)), 5_000, 'vote reactions');
      await sleep(200);
      expect(await store().votesOf(takes[0].id)).toEqual({ up: 0, down: 0 });
      firstTakes = takes;
      firstMessages = messages;
    });

    it('a reply to a take that mentions the bot gets a variation, posted as a reply and linked to its parent', async () => {
      const parent = firstTakes[0];
      // Without the Message Content intent, a reply that does not mention the bot is not for it (Discord hides its words).
      const unheard = emulator().userMessage(alice(), 'nice one', { replyTo: firstMessages[0].message.id, ping: false });
      const ask = emulator().userMessage(alice(), `<@${emulator().bot.id}> faster and add strings`, { replyTo: firstMessages[0].message.id });
      const [reply] = await emulator().waitFor(() => {
        const replies = emulator().repliesTo(ask.id).filter((stored) => stored.message.attachments.length === 3);
        return replies.length ? replies : undefined;
      }, 60_000, 'the variation');
      expect(reply.contents.some((content) => /Composing/.test(content))).toBe(true);
      const variation = await takeFor(reply.message.id);
      expect(variation.origin).toBe('variation');
      expect(variation.parentTakeId).toBe(parent.id);
      expect(variation.instruction).toBe('faster and add strings');
      expect(variation.prompt).toBe(`${PROMPT}, faster and add strings`);
      const header = variation.header as { bpm: number; instruments: number[] };
      expect(header.bpm).toBe(216);
      expect(header.instruments).toContain(48);
      expect((reply.message.embeds[0] as { title: string }).title).toBe(`Variation of take #${parent.id} · #${variation.id}`);
      expect(emulator().repliesTo(unheard.id)).toEqual([]);
    });

    it('counts reactions as votes: one per person per take, the latest wins, removing takes it back', async () => {
      const take = firstTakes[0];
      const messageId = firstMessages[0].message.id;
      const bob = emulator().user('bob');
      const carol = emulator().user('carol');
      emulator().react(bob, messageId, '👍');
      emulator().react(carol, messageId, '👎');
      emulator().react(carol, messageId, '🎉');
      await eventually(async () => {
        const votes = await store().votesOf(take.id);
        return votes.up === 1 && votes.down === 1;
      }, 5_000, 'two votes');
      emulator().react(bob, messageId, '👎');
      await eventually(async () => (await store().votesOf(take.id)).down === 2, 5_000, "bob's change of mind");
      expect(await store().votesOf(take.id)).toEqual({ up: 0, down: 2 });
      // Taking back the replaced 👍 changes nothing; taking back the 👎 removes bob's vote.
      emulator().unreact(bob, messageId, '👍');
      emulator().unreact(bob, messageId, '👎');
      await eventually(async () => (await store().votesOf(take.id)).down === 1, 5_000, "bob's vote removed");
      expect(await store().votesOf(take.id)).toEqual({ up: 0, down: 1 });
      // An up vote on the sibling take: the two takes now make a preference pair.
      emulator().react(bob, firstMessages[1].message.id, '👍');
      await eventually(async () => (await store().votesOf(firstTakes[1].id)).up === 1, 5_000, 'a vote on take 2');
      const { pairs } = votePairs(await store().votedTakes(), { hash: 'h', encode: () => [1] });
      expect(pairs.map((pair) => [pair.chosen.take, pair.rejected.take, pair.margin])).toEqual([[firstTakes[1].id, take.id, 2]]);
    });

    it('Regenerate writes a sibling take, Extend a longer one, and Vary asks how in a modal', async () => {
      const take = firstTakes[0];
      const messageId = firstMessages[0].message.id;
      const dave = emulator().user('dave');
      const regenerate = emulator().clickButton(dave, messageId, `take:regen:${take.id}`);
      const extend = emulator().clickButton(emulator().user('erin'), messageId, `take:extend:${take.id}`);
      const vary = emulator().clickButton(emulator().user('frank'), messageId, `take:vary:${take.id}`);
      const modal = await emulator().waitFor(() => vary.callback, 10_000, 'the modal');
      expect(modal.type).toBe(9);
      expect(modal.data.custom_id).toBe(`vary:${take.id}`);
      const submitted = emulator().submitModal(emulator().user('frank'), modal.data.custom_id, { instruction: 'in D minor' }, messageId);

      const [regenerated] = await takesOf(regenerate, 1);
      const sibling = await takeFor(regenerated.message.id);
      expect(sibling).toMatchObject({ origin: 'regenerate', requestId: take.requestId, parentTakeId: null, index: 2 });
      expect(sibling.seed).not.toBe(take.seed);

      const [extended] = await takesOf(extend, 1);
      const longer = await takeFor(extended.message.id);
      expect(longer).toMatchObject({ origin: 'extension', parentTakeId: take.id });
      expect((longer.header as { bars: number }).bars).toBe(2);
      // Forced: the header, the parent's bar (its tokens but EOS) and the BAR that starts the new one.
      expect(longer.forcedTokens).toBe(take.tokens.length);
      // The extension keeps the parent's bar as it was: its tokens start with the parent's body.
      expect(noteCount(decodeScore(longer.tokens))).toBeGreaterThanOrEqual(noteCount(decodeScore(take.tokens)));

      const [varied] = await takesOf(submitted, 1);
      const variation = await takeFor(varied.message.id);
      expect(variation).toMatchObject({ origin: 'variation', parentTakeId: take.id, instruction: 'in D minor' });
      expect((variation.header as { key: unknown }).key).toEqual({ tonic: 2, mode: 'minor' });
    });

    it('/help shows examples and /stats shows pieces, votes and the queue, privately', async () => {
      const help = await ephemeralAnswer(emulator().slashCommand(alice(), 'help'));
      expect(help).toMatch(/\/compose prompt:/);
      expect(help).toMatch(/@Motif faster and add strings/);
      const stats = await store().stats();
      // The last jobs may still be adding their vote reactions: ask again until the queue is empty (what this checks).
      const text = await eventually(async () => {
        const answer = await ephemeralAnswer(emulator().slashCommand(alice(), 'stats'));
        return /Queue:\*\* 0 being made, 0 waiting/.test(answer) && answer;
      }, 20_000, '/stats with an empty queue');
      expect(text).toContain(`${stats.takes} takes for ${stats.requests} requests (${stats.variations} variations)`);
      expect(stats.takes).toBe(6);
      expect(text).toContain(`${stats.upVotes} 👍  ${stats.downVotes} 👎 from 2 people`);
      expect(text).toMatch(/\(room for 2 at once and 25 in line\)/);
      expect(text).toMatch(/^\*\*Servers:\*\* 1$/m);
    });

    it('turns bad input away with a short private message and no job', async () => {
      const jobsBefore = (await store().stats()).requests;
      const cases: [Record<string, string | number>, RegExp][] = [
        [{ prompt: '   ' }, /prompt is empty/],
        [{ prompt: 'x'.repeat(301) }, /too long \(301 characters\)/],
        [{ prompt: 'piano', bpm: 9000 }, /tempo must be a whole number from 20 to 299/],
        [{ prompt: 'piano at 9000 bpm' }, /"9000 bpm" is out of range/],
        [{ prompt: 'piano', key: 'Z# minor' }, /"Z# minor" is not a key/],
        [{ prompt: 'piano', bars: 0 }, /from 1 to 64 bars/],
        [{ prompt: 'piano', instruments: 'kazoo-o-matic' }, /do not know the instruments/],
        [{ prompt: 'piano', takes: 9 }, /1 to 4 takes/],
      ];
      for (const [options, expected] of cases) {
        const answer = await ephemeralAnswer(emulator().slashCommand(alice(), 'compose', options));
        expect(answer).toMatch(expected);
        expect(answer.length).toBeLessThan(300);
        expect(answer).not.toMatch(/Error|at .*\.ts|undefined/);
      }
      expect((await store().stats()).requests).toBe(jobsBefore);
    });

    it('shows a prompt with @everyone and markdown as typed, pinging nobody', async () => {
      const prompt = '@everyone **loud** _piano_ in 4/4 at 200 bpm';
      const interaction = emulator().slashCommand(alice(), 'compose', { prompt, bars: 1, takes: 1 });
      const [take] = await takesOf(interaction, 1);
      expect((take.message.embeds[0] as { description: string }).description).toBe('@everyone \\*\\*loud\\*\\* \\_piano\\_ in 4/4 at 200 bpm');
    });

    it('answers a reply to a message that is not a take, and a button on a take that is gone', async () => {
      const chatter = emulator().userMessage(emulator().user('gina'), 'anyone here?');
      const ask = emulator().userMessage(alice(), `<@${emulator().bot.id}> make it sadder`, { replyTo: chatter.id });
      const [answer] = await emulator().waitFor(() => {
        const replies = emulator().repliesTo(ask.id);
        return replies.length ? replies : undefined;
      }, 10_000, 'an answer');
      expect(answer.message.content).toMatch(/not one of my takes/);
      expect(answer.message.attachments).toEqual([]);

      const regenerated = (await store().takesOfRequest(firstTakes[0].requestId)).find((take) => take.origin === 'regenerate')!;
      await store().deleteTake(regenerated.id);
      const click = emulator().clickButton(alice(), regenerated.messageId!, `take:extend:${regenerated.id}`);
      expect(await ephemeralAnswer(click)).toBe('That take is no longer available.');
      // A button whose take number now names another take (as after a database reset): refused, not run on that take.
      const elsewhere = emulator().clickButton(alice(), firstMessages[1].message.id, `take:extend:${firstTakes[0].id}`);
      expect(await ephemeralAnswer(elsewhere)).toBe('That take is no longer available.');
    });

    it("varies a take whose parent was deleted, and says so when asked to regenerate it", async () => {
      const parent = firstTakes[0];
      const variation = (await store().takesOfRequest(2))[0];
      expect(variation.parentTakeId).toBe(parent.id);
      await store().deleteTake(parent.id);
      expect((await store().getTake(variation.id))!.parentTakeId).toBeNull();

      const ask = emulator().userMessage(alice(), `<@${emulator().bot.id}> slower`, { replyTo: variation.messageId! });
      const [reply] = await emulator().waitFor(() => {
        const replies = emulator().repliesTo(ask.id).filter((stored) => stored.message.attachments.length === 3);
        return replies.length ? replies : undefined;
      }, 60_000, 'a variation of the orphan');
      const grandchild = await takeFor(reply.message.id);
      expect(grandchild.parentTakeId).toBe(variation.id);
      expect((grandchild.header as { bpm: number }).bpm).toBe(Math.round(216 / 1.2));

      const click = emulator().clickButton(alice(), variation.messageId!, `take:regen:${variation.id}`);
      expect(await ephemeralAnswer(click)).toMatch(/varied is no longer available/);
    });

    it('counts votes as the reactions show them: any skin tone, the other emoji when one is taken back, none once cleared or deleted', async () => {
      const take = firstTakes[1];
      const messageId = firstMessages[1].message.id;
      const tally = (up: number, down: number, what: string) => eventually(async () => {
        const votes = await store().votesOf(take.id);
        return votes.up === up && votes.down === down;
      }, 5_000, what);
      const [gail, hal, ivy] = ['gail', 'hal', 'ivy'].map((name) => emulator().user(name));
      await tally(1, 0, "bob's vote from before");
      emulator().react(gail, messageId, '👍🏽');
      await tally(2, 0, 'a skin-toned up vote');
      emulator().react(hal, messageId, '👍');
      await tally(3, 0, "hal's up vote");
      emulator().react(hal, messageId, '👎');
      await tally(2, 1, "hal's change of mind");
      // Taking the 👎 back: hal's 👍 still shows under the message, and counts again.
      emulator().unreact(hal, messageId, '👎');
      await tally(3, 0, "hal's 👍, still showing");
      emulator().react(ivy, messageId, '👎');
      await tally(3, 1, "ivy's down vote");
      emulator().react(ivy, messageId, '👍');
      await tally(4, 0, "ivy's up vote");
      // A moderator clears every 👍: bob's and hal's votes go; gail's 👍🏽 and ivy's 👎 still show, and count.
      emulator().removeEmoji(messageId, '👍');
      await tally(1, 1, 'the votes of the cleared emoji gone, the others kept');
      emulator().removeAllReactions(messageId);
      await tally(0, 0, 'every vote gone with the reactions');
      emulator().react(gail, messageId, '👎');
      await tally(0, 1, "gail's vote");
      emulator().deleteMessage(messageId);
      await tally(0, 0, 'the votes gone with the message');
    });

    it('answers a button it does not know with a plain word, not "This interaction failed"', async () => {
      const click = emulator().clickButton(alice(), firstMessages[0].message.id, 'poll:vote:3');
      expect(await ephemeralAnswer(click)).toBe('That does nothing any more: use the buttons under a newer take, or /compose.');
    });

    it('pinged nobody in any message, logged no token, and used only routes the emulator knows', () => {
      const bodies = emulator().requests
        .map((request) => (request.path.endsWith('/callback') ? (request.json?.data as Record<string, unknown> | undefined) : request.json))
        .filter((json): json is Record<string, unknown> => json !== undefined && ('content' in json || 'embeds' in json));
      expect(bodies.length).toBeGreaterThan(30);
      for (const json of bodies) expect(json.allowed_mentions).toEqual(NO_MENTIONS);

      expect(emulator().unhandled).toEqual([]);
      expect(h.logs.lines.length).toBeGreaterThan(20);
      const everything = h.logs.lines.join('\n');
      expect(everything).not.toContain(BOT_TOKEN);
      for (const interaction of emulator().interactions.values()) expect(everything).not.toContain(interaction.token);
      expect(h.logs.records().filter((record) => (record.level as number) >= 50)).toEqual([]);
    });
  });
});

