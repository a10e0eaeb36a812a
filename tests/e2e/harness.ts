/**
 * One bot against the Discord emulator, with the real engine (the test model) and the real renderer. The engine is
 * loaded once per test file and shared by the bots a file starts (a restart keeps the engine, as a process would
 * load the same model again).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { BotConfig } from '../../src/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { startBot, type RunningBot } from '../../src/bot/start.ts';
import type { Composer } from '../../src/jobs/composer.ts';
import { soundfontRenderer, type Renderer } from '../../src/jobs/renderer.ts';
import { MotifEngine } from '../../src/inference/index.ts';
import { MODEL_DIR } from '../helpers/model.ts';
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

export function testConfig(dbPath: string, overrides: Partial<BotConfig> = {}): BotConfig {
  return {
    token: BOT_TOKEN, applicationId: APPLICATION_ID, dbPath, messageContent: false, voteEmojis: ['👍', '👎'], takes: 2,
    queue: { concurrency: 2, maxWaiting: 25, perUserInFlight: 2, cooldownMs: 0 }, logLevel: 'info',
    ...overrides,
  };
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
  logs: LogCapture;
  config: BotConfig;
  composer: Composer;
  renderer: Renderer;
}

export async function startEmulator(): Promise<DiscordEmulator> {
  const emulator = new DiscordEmulator({ botToken: BOT_TOKEN, applicationId: APPLICATION_ID, heartbeatIntervalMs: 1000 });
  await emulator.start();
  return emulator;
}

export async function startTestBot(emulator: DiscordEmulator, config: BotConfig, logs = new LogCapture()): Promise<Harness> {
  const composer = await testEngine();
  // The small bundled font: real synthesis, a third of the default font's load time.
  const renderer = soundfontRenderer({ soundfont: 'timgm6mb' });
  const bot = await startBot({
    config, composer, renderer, api: emulator.apiUrl, log: createLogger('debug', logs), progressIntervalMs: 100,
  });
  return { emulator, bot, logs, config, composer, renderer };
}
