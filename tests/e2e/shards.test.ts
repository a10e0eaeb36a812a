/**
 * `motif bot --shards 2` as a deployment runs it: a manager process and two shard processes (the real command), each
 * connected to the emulator's gateway for its own servers, queueing jobs on BullMQ for a worker (here in this
 * process, with the test model) and sharing PostgreSQL. /stats counts the servers of both shards; a shard killed is
 * started again by the manager, and answers again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { startWorker, type RunningWorker } from '../../src/jobs/start-worker.ts';
import { soundfontRenderer } from '../../src/jobs/renderer.ts';
import { withoutModel } from '../helpers/model.ts';
import { withoutPostgres, withoutRedis } from '../helpers/servers.ts';
import type { DiscordEmulator, EmulatedInteraction } from './emulator/discord-emulator.ts';
import { shardOf } from './emulator/gateway.ts';
import { APPLICATION_ID, BOT_TOKEN, LogCapture, TestStorage, startEmulator, testConfig, testEngine } from './harness.ts';
import { eventually } from './wait.ts';

const FAST = { prompt: 'happy piano in 4/4 at 200 bpm', bars: 1, takes: 1 };

function hasTake(emulator: DiscordEmulator, interaction: EmulatedInteraction): boolean {
  return emulator.original(interaction)?.message.attachments.length === 3;
}

describe.skipIf(withoutModel() || withoutPostgres() || withoutRedis())('motif bot --shards 2', () => {
  let emulator: DiscordEmulator;
  const storage = new TestStorage('servers');
  let worker: RunningWorker;
  let manager: ChildProcess;
  const lines: Record<string, unknown>[] = [];
  let exited: Promise<number | null>;
  let store: PostgresStore;
  /** The message of the first take, voted on while its shard is down. */
  let firstTake: string;

  beforeAll(async () => {
    // A second server, on the other shard. Heartbeats every 10 s: at 1 s, a shard process starved of CPU while the
    // next one starts misses an acknowledgement, reconnects, and the emulator (which does not replay) loses its events.
    emulator = await startEmulator({ otherGuilds: 1, heartbeatIntervalMs: 10_000 });
    expect(shardOf(emulator.guildId, 2)).not.toBe(shardOf(emulator.otherGuildIds[0], 2));
    const where = await storage.fresh();
    store = await PostgresStore.open(where.databaseUrl!);
    const config = testConfig(where.dbPath, { ...where, discordApi: emulator.apiUrl });
    worker = await startWorker({
      config, log: createLogger('info', new LogCapture()), composer: await testEngine(), renderer: soundfontRenderer({ soundfont: 'timgm6mb' }), progressIntervalMs: 100,
    });
    manager = spawn(process.execPath, ['bin/motif.js', 'bot', '--shards', '2'], {
      env: {
        ...process.env, DISCORD_TOKEN: BOT_TOKEN, DISCORD_APPLICATION_ID: APPLICATION_ID, DISCORD_API_URL: emulator.apiUrl,
        DATABASE_URL: where.databaseUrl, REDIS_URL: where.redisUrl, MOTIF_REDIS_PREFIX: where.redisPrefix, MOTIF_LOG_LEVEL: 'info',
        MOTIF_USER_COOLDOWN_S: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => manager.once('exit', (code) => resolve(code)));
    let pending = '';
    manager.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line));
    });
    await eventually(() => lines.some((line) => line.msg === 'shards ready'), 240_000, 'both shards ready');
  }, 300_000);

  afterAll(async () => {
    manager?.kill('SIGTERM');
    await exited;
    await worker?.stop();
    await store?.close();
    await emulator?.stop();
    await storage.drop();
  }, 120_000);

  it('connects two shards, each for its own servers; a request is answered once, and /stats counts both shards', async () => {
    expect(emulator.shards.sort()).toEqual([[0, 2], [1, 2]]);
    const compose = emulator.slashCommand(emulator.user('sharded'), 'compose', FAST);
    await emulator.waitFor(() => hasTake(emulator, compose), 60_000, 'a take');
    firstTake = emulator.original(compose)!.message.id;
    // One shard got the interaction and answered it: one acknowledgement, no "already acknowledged" from another.
    expect(compose.timeline.filter((step) => step.startsWith('callback'))).toEqual(['callback:5']);
    // Asking every shard takes a round trip: the answer is deferred (privately), then edited in.
    const stats = emulator.slashCommand(emulator.user('sharded'), 'stats');
    const answer = await emulator.waitFor(() => {
      const reply = emulator.original(stats);
      return reply && /Servers/.test(reply.message.content) ? reply : undefined;
    }, 30_000, 'the stats');
    expect(stats.timeline[0]).toBe('callback:5');
    expect(answer.ephemeral).toBe(true);
    expect(answer.message.content).toMatch(/^\*\*Servers:\*\* 2$/m);
    expect(answer.message.content).toContain('1 takes for 1 requests');
  });

  it('a shard killed is started again by the manager, counts the votes cast while it was down, and answers again', async () => {
    const owner = shardOf(emulator.guildId, 2);
    const started = lines.filter((line) => line.msg === 'shard started' && line.shard === owner);
    const pid = started[started.length - 1].pid as number;
    const identifies = emulator.identifies;
    const take = await eventually(() => store.takeByMessage(firstTake), 5_000, 'the first take linked');
    process.kill(pid, 'SIGKILL');
    await eventually(() => emulator.shards.length === 1, 10_000, 'the shard gone');
    // Nobody hears these: the shard of this server is down.
    emulator.react(emulator.user('in-the-gap'), firstTake, '👍');
    emulator.react(emulator.user('also-in-the-gap'), firstTake, '👎🏿');
    await eventually(() => emulator.identifies > identifies && emulator.shards.length === 2, 120_000, 'the shard back');
    await eventually(async () => {
      const votes = await store.votesOf(take.id);
      return votes.up === 1 && votes.down === 1;
    }, 30_000, 'the votes cast in the gap counted');
    expect(lines.some((line) => line.msg === 'shard exited' && line.shard === owner)).toBe(true);
    const compose = emulator.slashCommand(emulator.user('after-the-crash'), 'compose', FAST);
    await emulator.waitFor(() => hasTake(emulator, compose), 60_000, 'a take from the new shard');
  });
});
