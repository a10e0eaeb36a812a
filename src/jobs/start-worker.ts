/**
 * A worker process (`motif worker`): takes compose / vary / extend jobs from BullMQ, composes, renders and posts each
 * take through Discord's REST API with the bot's token. No gateway connection: any number of workers, on machines of
 * their own (GPU ones), beside the bot's processes, which only talk to Discord and queue the jobs.
 */
import { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import { TakeWorker } from '../queue/redis-worker.ts';
import { openStore } from '../store/open-store.ts';
import type { MotifStore } from '../store/types.ts';
import { loadComposer, type Composer } from './composer.ts';
import { soundfontRenderer, type Renderer } from './renderer.ts';
import { TakeJobs } from './take-jobs.ts';

export interface WorkerStartOptions {
  config: BotConfig;
  log: Logger;
  /** Default: the process's engine (src/inference, MOTIF_MODEL_DIR). */
  composer?: Composer;
  /** Default: SoundFont rendering with config.soundfont. */
  renderer?: Renderer;
  /** Default: the store config names (DATABASE_URL, else MOTIF_DB). */
  store?: MotifStore;
  progressIntervalMs?: number;
}

export interface RunningWorker {
  store: MotifStore;
  worker: TakeWorker;
  /** Lets running jobs finish for up to `graceMs` (then puts them back in line for another worker), closes the store. */
  stop(graceMs?: number): Promise<void>;
}

export async function startWorker(options: WorkerStartOptions): Promise<RunningWorker> {
  const { config, log } = options;
  if (!config.redisUrl) throw new Error('a worker takes its jobs from Redis: set REDIS_URL');
  const store = options.store ?? await openStore(config);
  try {
    const composer = options.composer ?? await loadComposer();
    const renderer = options.renderer ?? soundfontRenderer({ soundfont: config.soundfont });
    await renderer.prepare?.();
    const rest = new REST(config.discordApi ? { api: config.discordApi } : {}).setToken(config.token);
    const jobs = new TakeJobs({ rest, composer, renderer, store, log, settings: config, progressIntervalMs: options.progressIntervalMs ?? 1500 });
    jobs.replies.concurrency = config.queue.concurrency;
    const worker = await TakeWorker.start({
      url: config.redisUrl, prefix: config.redisPrefix, store, settings: config.queue, run: jobs.run,
      onAbandoned: (job) => jobs.replies.abandon(job),
      onError: (error, job) => log.warn({ err: error, job }, 'worker: a job attempt failed or Redis is unreachable'),
    });
    log.info({ concurrency: config.queue.concurrency }, 'worker ready');
    return {
      store, worker,
      async stop(graceMs = 0) {
        await worker.close(graceMs);
        if (!options.store) await store.close();
        log.info('worker stopped');
      },
    };
  } catch (error) {
    if (!options.store) await store.close();
    throw error;
  }
}
