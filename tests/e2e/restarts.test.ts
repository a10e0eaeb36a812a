/**
 * Redis restarted while jobs wait: nothing lost. A Redis server of this test's own (the Debian binary, append-only
 * file on, as README's Deployment asks), so that restarting it disturbs no other suite: the bot queues two jobs with
 * no worker running, Redis is stopped and started again, then a worker comes and both requests get their takes. The
 * bot's connection comes back by itself (/stats answers from Redis again).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { startWorker, type RunningWorker } from '../../src/jobs/start-worker.ts';
import { withoutModel } from '../helpers/model.ts';
import { skipWithout } from '../helpers/prerequisites.ts';
import { withoutPostgres } from '../helpers/servers.ts';
import type { DiscordEmulator, EmulatedInteraction } from './emulator/discord-emulator.ts';
import { LogCapture, TestStorage, startEmulator, startTestBot, testConfig, type Harness } from './harness.ts';
import { eventually } from './wait.ts';

const FAST = { prompt: 'happy piano in 4/4 at 200 bpm', bars: 1, takes: 1 };

function withoutRedisServerBinary(): boolean {
  const found = spawnSync('redis-server', ['--version']).status === 0;
  return skipWithout(found, 'no redis-server program to start and restart', 'apt-get install redis-server (.ci/start-services does)');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server on `port` keeping its data in `dir` (append-only file, every write), until stopped. */
class OwnRedis {
  private process: ChildProcess | undefined;

  constructor(readonly port: number, readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    const probe = new Redis({ port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused until the server listens: the loop below asks again
    try {
      await eventually(async () => probe.connect().then(() => probe.ping()).then(() => true, () => false), 10_000, 'redis-server to start');
    } finally {
      probe.disconnect();
    }
  }

  /** SIGTERM: Redis writes what it holds and exits, as a service restart does. */
  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  }
}

function hasTake(emulator: DiscordEmulator, interaction: EmulatedInteraction): boolean {
  return emulator.original(interaction)?.message.attachments.length === 3;
}

describe.skipIf(withoutModel() || withoutPostgres() || withoutRedisServerBinary())('Redis restarted while jobs wait', () => {
  let emulator: DiscordEmulator;
  let redis: OwnRedis;
  const storage = new TestStorage('servers');
  let h: Harness;
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    emulator = await startEmulator();
    redis = new OwnRedis(await freePort(), await mkdtemp(path.join(tmpdir(), 'motif-redis-')));
    await redis.start();
    const where = { ...await storage.fresh(), redisUrl: redis.url };
    h = await startTestBot(emulator, testConfig(where.dbPath, where), undefined, { workers: 0 });
  });

  afterAll(async () => {
    await worker?.stop();
    await h?.stop();
    await redis?.stop();
    await emulator?.stop();
    await storage.drop();
  });

  it('loses no job: the queued requests get their takes once a worker comes', async () => {
    const asked = ['first-in-line', 'second-in-line'].map((name) => emulator.slashCommand(emulator.user(name), 'compose', FAST));
    await eventually(async () => (await h.bot.queue.snapshot()).waiting === 2, 10_000, 'two jobs waiting');
    expect(asked.map((interaction) => interaction.timeline[0])).toEqual(['callback:5', 'callback:5']);

    await redis.stop();
    await redis.start();

    worker = await startWorker({
      config: { ...h.config, discordApi: emulator.apiUrl }, log: createLogger('info', new LogCapture()), composer: h.composer,
      renderer: h.renderer, progressIntervalMs: 100,
    });
    await emulator.waitFor(() => asked.every((interaction) => hasTake(emulator, interaction)), 60_000, 'both takes');
    await eventually(async () => (await h.bot.store.unfinishedJobs()).jobs.length === 0, 10_000, 'both jobs done');
    expect((await h.bot.store.stats()).takes).toBe(2);
    // The bot's own connection to Redis came back: the queue reads from it again.
    await eventually(async () => (await h.bot.queue.snapshot()).waiting === 0, 10_000, 'the queue read again');
  });
});
