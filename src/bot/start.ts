/**
 * Start-up and shutdown. Start: open (and migrate) the store, load the model, connect to Discord, then finish the
 * jobs a previous run left behind (or tell their users they are lost). Stop: take no new jobs, give running ones a
 * grace period, leave the rest recorded for the next start.
 */
import { DiscordjsErrorCodes, Events, type Client } from 'discord.js';
import type { Logger } from 'pino';
import { ConfigError, type BotConfig } from '../config.ts';
import type { BotContext } from '../commands/context.ts';
import {
  TakeJobs, loadComposer, openStore, soundfontRenderer, takeQueue, type Composer, type JobQueue, type MotifStore, type Renderer,
} from '../commands/services.ts';
import { createClient } from './client.ts';
import { wireEvents } from './events.ts';
import { createLogger } from './logger.ts';

/** Discord's limit on answering through an interaction's token. */
export const INTERACTION_LIFETIME_MS = 15 * 60_000;

export interface StartOptions {
  config: BotConfig;
  /** Default: the process's engine (src/inference, MOTIF_MODEL_DIR). */
  composer?: Composer;
  /** Default: SoundFont rendering (src/render). */
  renderer?: Renderer;
  /** Default: SQLite at config.dbPath. */
  store?: MotifStore;
  log?: Logger;
  /** Another Discord REST API base (the tests' emulator). */
  api?: string;
  /** Least time between two progress edits of one message. */
  progressIntervalMs?: number;
  /** Starts after a restart this many times are given up (and their users told). */
  maxAttempts?: number;
}

export interface RunningBot {
  client: Client;
  store: MotifStore;
  queue: JobQueue;
  ctx: BotContext;
  /** Jobs found unfinished at start: put back in line, given up, or unreadable (marked failed). */
  recovered: { requeued: number; abandoned: number; unreadable: number };
  /** Waits up to `graceMs` for running jobs (then aborts them; they stay recorded), disconnects, closes the store. */
  stop(graceMs?: number): Promise<void>;
}

export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

async function login(client: Client, token: string): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(token);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // A refused token shows up as a 401 on /gateway/bot, or as the gateway closing with 4004 ("Authentication failed").
    if (code === DiscordjsErrorCodes.TokenInvalid || (error as Error).message === 'Authentication failed') throw new ConfigError('Discord refused DISCORD_TOKEN: reset the token on the developer portal (Bot page) and put the new one in .env.');
    if (code === DiscordjsErrorCodes.DisallowedIntents) {
      throw new ConfigError('Discord refused the Message Content intent: enable it on the developer portal (Bot page), or set MOTIF_MESSAGE_CONTENT=false.');
    }
    throw error;
  }
  await ready;
}

export async function startBot(options: StartOptions): Promise<RunningBot> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const store = options.store ?? openStore(config.dbPath);
  let client: Client | undefined;
  try {
    const composer = options.composer ?? await loadComposer();
    const renderer = options.renderer ?? soundfontRenderer();
    // The SoundFont takes seconds to load: in the background while the bot logs in, not in the first request.
    renderer.prepare?.().catch((error: unknown) => log.warn({ err: error }, 'could not get the renderer ready; the first take will try again'));
    client = createClient({ messageContent: config.messageContent, api: options.api });
    const jobs = new TakeJobs({
      client, composer, renderer, store, log, settings: config, progressIntervalMs: options.progressIntervalMs ?? 1500,
    });
    const queue = takeQueue(store, config.queue, jobs);
    jobs.concurrency = config.queue.concurrency;
    const ctx: BotContext = {
      client, composer, renderer, store, queue, log, settings: config, interactionLifetimeMs: INTERACTION_LIFETIME_MS,
    };
    wireEvents(client, ctx);
    await login(client, config.token);
    log.info({ user: client.user?.tag, messageContent: config.messageContent }, 'connected to Discord');

    const { requeued, abandoned, unreadable } = await queue.recover(options.maxAttempts ?? 2);
    for (const { id, problem } of unreadable) log.error({ job: id, problem }, 'an unfinished job could not be read: marked failed');
    for (const job of abandoned) {
      await jobs.abandon(job).catch((error: unknown) => log.warn({ err: error, job: job.id }, 'could not tell the user about a lost job'));
    }
    if (requeued.length || abandoned.length) log.info({ requeued: requeued.length, abandoned: abandoned.length }, 'jobs from the last run');

    const running = client;
    return {
      client, store, queue, ctx,
      recovered: { requeued: requeued.length, abandoned: abandoned.length, unreadable: unreadable.length },
      async stop(graceMs = 0) {
        await queue.close(graceMs);
        await running.destroy();
        await store.close();
        log.info('stopped');
      },
    };
  } catch (error) {
    await client?.destroy().catch(() => {});
    if (!options.store) await store.close();
    throw error;
  }
}
