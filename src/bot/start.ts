/**
 * Start-up and shutdown. Start: open (and migrate) the store, load the model, connect to Discord, then finish the
 * jobs a previous run left behind (or tell their users they are lost). Stop: take no new jobs, give running ones a
 * grace period, leave the rest recorded for the next start.
 */
import { DiscordjsErrorCodes, Events, type Client } from 'discord.js';
import type { Logger } from 'pino';
import { ConfigError, type BotConfig } from '../config.ts';
import type { BotContext } from '../commands/context.ts';
import { openStore, type Composer, type MotifStore, type Renderer } from '../commands/services.ts';
import { reconcileVotes } from '../commands/votes.ts';
import type { TakeQueue } from '../queue/take-queue.ts';
import { botQueue } from './bot-queue.ts';
import { createClient } from './client.ts';
import { wireEvents } from './events.ts';
import { createLogger } from './logger.ts';

/** Discord's limit on answering through an interaction's token. */
export const INTERACTION_LIFETIME_MS = 15 * 60_000;

export interface StartOptions {
  config: BotConfig;
  /** In process: default the process's engine (src/inference, MOTIF_MODEL_DIR). With Redis the workers compose. */
  composer?: Composer;
  /** In process: default SoundFont rendering (src/render). */
  renderer?: Renderer;
  /** Default: the store config names (PostgreSQL at DATABASE_URL, else SQLite at config.dbPath). */
  store?: MotifStore;
  log?: Logger;
  /** Another Discord REST API base (the tests' emulator). */
  api?: string;
  /** Least time between two progress edits of one message. */
  progressIntervalMs?: number;
  /** Starts after a restart this many times are given up (and their users told). */
  maxAttempts?: number;
  /** Look for jobs a previous run left (default: unless this is a shard other than the first) and votes cast meanwhile. */
  recoverJobs?: boolean;
}

export interface RunningBot {
  client: Client;
  store: MotifStore;
  queue: TakeQueue;
  ctx: BotContext;
  /** Votes cast or taken back while the bot was away, read from the reactions under the last posted takes. */
  votesReconciled: Promise<{ takes: number; changed: number }>;
  /** Jobs found unfinished at start: put back in line, given up, or unreadable (marked failed). */
  recovered: { requeued: number; abandoned: number; unreadable: number };
  /** Waits up to `graceMs` for running jobs (then aborts them; they stay recorded), disconnects, closes the store it opened. */
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
  const store = options.store ?? await openStore(config);
  let client: Client | undefined;
  let queue: TakeQueue | undefined;
  try {
    client = createClient({ messageContent: config.messageContent, api: options.api ?? config.discordApi });
    const made = await botQueue({
      config, client, store, log, composer: options.composer, renderer: options.renderer,
      progressIntervalMs: options.progressIntervalMs ?? 1500,
    });
    queue = made.queue;
    const ctx: BotContext = { client, store, queue, log, settings: config, interactionLifetimeMs: INTERACTION_LIFETIME_MS };
    wireEvents(client, ctx);
    await login(client, config.token);
    log.info({ user: client.user?.tag, messageContent: config.messageContent, queue: config.redisUrl ? 'redis' : 'in process' }, 'connected to Discord');

    // Of several processes (shards), the first alone looks for what a previous run left.
    const leader = options.recoverJobs ?? (!client.shard || client.shard.ids.includes(0));
    const recovered = leader ? await queue.recover(options.maxAttempts ?? 2) : { requeued: [], abandoned: [], unreadable: [] };
    const { requeued, abandoned, unreadable } = recovered;
    for (const { id, problem } of unreadable) log.error({ job: id, problem }, 'an unfinished job could not be read: marked failed');
    for (const job of abandoned) {
      await made.replies.abandon(job).catch((error: unknown) => log.warn({ err: error, job: job.id }, 'could not tell the user about a lost job'));
    }
    if (requeued.length || abandoned.length) log.info({ requeued: requeued.length, abandoned: abandoned.length }, 'jobs from the last run');
    // In the background: many requests, and nothing else waits for them. Every shard counts its own (votes.ts).
    const votesReconciled = options.recoverJobs === false
      ? Promise.resolve({ takes: 0, changed: 0 })
      : reconcileVotes(ctx).catch((error: unknown) => {
        log.warn({ err: error }, 'could not count the votes cast while away');
        return { takes: 0, changed: 0 };
      });

    const running = client;
    const jobs = queue;
    return {
      client, store, queue, ctx,
      recovered: { requeued: requeued.length, abandoned: abandoned.length, unreadable: unreadable.length },
      votesReconciled,
      async stop(graceMs = 0) {
        await jobs.close(graceMs);
        await running.destroy();
        if (!options.store) await store.close();
        log.info('stopped');
      },
    };
  } catch (error) {
    await queue?.close().catch(() => {});
    await client?.destroy().catch(() => {});
    if (!options.store) await store.close();
    throw error;
  }
}
