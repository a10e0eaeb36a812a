/**
 * One bot against the Discord emulator, with the real engine (the test model) and the real renderer. The engine is
 * loaded once per test file and shared by the bots a file starts (a restart keeps the engine, as a process would
 * load the same model again).
 *
 * Two backends: "embedded" (SQLite and the in-process queue, the default) and "servers" (PostgreSQL, BullMQ on
 * Redis, and workers that make the music; here in this process, sharing the engine; tests/e2e/workers.test.ts runs
 * them as processes of their own). Each bot gets fresh storage: a SQLite file, or a database and a Redis prefix.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { BotConfig } from '../../src/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { startBot, type RunningBot } from '../../src/bot/start.ts';
import { startWorker, type RunningWorker } from '../../src/jobs/start-worker.ts';
import type { Composer } from '../../src/jobs/composer.ts';
import { soundfontRenderer, type Renderer } from '../../src/jobs/renderer.ts';
import { MotifEngine } from '../../src/inference/index.ts';
import { MODEL_DIR } from '../helpers/model.ts';
import { TEST_REDIS_URL, scratchDatabase, scratchPrefix, withoutPostgres, withoutRedis, type ScratchDatabase } from '../helpers/servers.ts';
import { DiscordEmulator } from './emulator/discord-emulator.ts';

export const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GxYzAb.c2VjcmV0LWJvdC10b2tlbi1mb3ItdGVzdHM';
export const APPLICATION_ID = '123456789012345678';

let engine: Promise<MotifEngine> | undefined;

export function testEngine(): Promise<MotifEngine> {
  if (!MODEL_DIR) throw new Error('no test model');
  // One decoding thread: the e2e suites share two cores with the renderer and with each other.
  engine ??= MotifEngine.load({ modelDir: MODEL_DIR, threads: 1, requestTimeoutMs: 60_000 });
  return engine;
}

export const QUEUE_DEFAULTS: BotConfig['queue'] = {
  concurrency: 2, maxWaiting: 25, perUserInFlight: 2, cooldownMs: 0, perGuildInFlight: 100, attempts: 2, lockMs: 30_000,
};

export type ConfigOverrides = Omit<Partial<BotConfig>, 'queue'> & { queue?: Partial<BotConfig['queue']> };

export function testConfig(dbPath: string, overrides: ConfigOverrides = {}): BotConfig {
  return {
    token: BOT_TOKEN, applicationId: APPLICATION_ID, dbPath, messageContent: false, voteEmojis: ['👍', '👎'], takes: 2, maxUploadBytes: 1024 * 1024,
    logLevel: 'info', redisPrefix: 'motif', ...overrides,
    queue: { ...QUEUE_DEFAULTS, ...overrides.queue },
  };
}

export type BackendName = 'embedded' | 'servers';

/** The backends the e2e suites run on, for describe.each; "servers" skips (in one line) without PostgreSQL and Redis. */
export const BACKENDS: { backend: BackendName; skip: () => boolean }[] = [
  { backend: 'embedded', skip: () => false },
  { backend: 'servers', skip: () => withoutPostgres() || withoutRedis() },
];

/**
 * Fresh storage on a backend, as configuration: a SQLite file, or a new database on the test PostgreSQL server and a
 * Redis prefix of its own. `drop` removes the databases made.
 */
export class TestStorage {
  private readonly databases: ScratchDatabase[] = [];

  constructor(readonly backend: BackendName) {}

  async fresh(): Promise<Pick<BotConfig, 'dbPath' | 'databaseUrl' | 'redisUrl' | 'redisPrefix'>> {
    const dbPath = await tempDb();
    if (this.backend === 'embedded') return { dbPath, redisPrefix: 'motif' };
    const database = await scratchDatabase();
    this.databases.push(database);
    return { dbPath, databaseUrl: database.url, redisUrl: TEST_REDIS_URL, redisPrefix: scratchPrefix() };
  }

  async drop(): Promise<void> {
    for (const database of this.databases.splice(0)) await database.drop();
  }
}

export async function tempDb(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'motif-e2e-')), 'motif.db');
}

/** Log lines the bot wrote, as parsed JSON and as raw text (to check that no secret is in them). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line));
  }
}

export interface Harness {
  emulator: DiscordEmulator;
  bot: RunningBot;
  /** The workers making this bot's music (servers backend); none in process. */
  workers: RunningWorker[];
  logs: LogCapture;
  config: BotConfig;
  composer: Composer;
  renderer: Renderer;
  /** Stops the workers (running jobs get `graceMs`), then the bot. */
  stop(graceMs?: number): Promise<void>;
}

export async function startEmulator(options: { otherGuilds?: number; heartbeatIntervalMs?: number } = {}): Promise<DiscordEmulator> {
  const emulator = new DiscordEmulator({ botToken: BOT_TOKEN, applicationId: APPLICATION_ID, heartbeatIntervalMs: 1000, ...options });
  await emulator.start();
  return emulator;
}

/** A bot, and with Redis `workers` workers (default 1), all logging to `logs`. */
export async function startTestBot(emulator: DiscordEmulator, config: BotConfig, logs = new LogCapture(), options: { workers?: number } = {}): Promise<Harness> {
  const composer = await testEngine();
  // The small bundled font: real synthesis, a third of the default font's load time.
  const renderer = soundfontRenderer({ soundfont: 'timgm6mb' });
  const log = createLogger('debug', logs);
  const workers: RunningWorker[] = [];
  const stopWorkers = async (graceMs: number) => {
    for (const worker of workers.splice(0)) await worker.stop(graceMs);
  };
  try {
    if (config.redisUrl) {
      const workerConfig = { ...config, discordApi: emulator.apiUrl };
      for (let i = 0; i < (options.workers ?? 1); i++) {
        workers.push(await startWorker({ config: workerConfig, log, composer, renderer, progressIntervalMs: 100 }));
      }
    }
    const bot = await startBot({ config, composer, renderer, api: emulator.apiUrl, log, progressIntervalMs: 100 });
    return {
      emulator, bot, workers, logs, config, composer, renderer,
      async stop(graceMs = 0) {
        await stopWorkers(graceMs);
        await bot.stop(graceMs);
      },
    };
  } catch (error) {
    await stopWorkers(0);
    throw error;
  }
}
