/**
 * The queue the bot hands its jobs to. Without REDIS_URL: the in-process queue, and this process composes, renders
 * and posts (the embedded default). With it: BullMQ, and `motif worker` processes make the music; the bot only shows
 * the jobs it queued their place in line, and loads no model.
 */
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import type { BotContext } from '../commands/context.ts';
import { loadComposer, soundfontRenderer, takeQueue, TakeJobs, type Composer, type Renderer } from '../commands/services.ts';
import { JobReplies } from '../jobs/job-replies.ts';
import { RedisTakeQueue } from '../queue/redis-queue.ts';
import type { TakeQueue } from '../queue/take-queue.ts';
import type { MotifStore } from '../store/types.ts';

export interface BotQueueOptions {
  config: BotConfig;
  client: BotContext['client'];
  store: MotifStore;
  log: Logger;
  /** In process only. Default: the process's engine. */
  composer?: Composer;
  /** In process only. Default: SoundFont rendering. */
  renderer?: Renderer;
  progressIntervalMs: number;
}

export interface BotQueue {
  queue: TakeQueue;
  /** Where the jobs' messages go: places in line, and the word that a job was lost. */
  replies: JobReplies;
}

export async function botQueue(options: BotQueueOptions): Promise<BotQueue> {
  const { config, client, store, log, progressIntervalMs } = options;
  if (config.redisUrl) {
    const replies = new JobReplies({ rest: client.rest, store, settings: config, log, progressIntervalMs });
    replies.concurrency = config.queue.concurrency;
    const queue = await RedisTakeQueue.open({
      url: config.redisUrl, prefix: config.redisPrefix, store, settings: config.queue,
      onPositions: (positions) => replies.showPositions(positions),
      // A worker has the job now and speaks for it; what this process had not yet shown is dropped.
      onLeftLine: (job) => void replies.release(job.id),
      onError: (error) => log.warn({ err: error }, 'queue: Redis is unreachable or a place in line could not be shown'),
    });
    return { queue, replies };
  }
  const composer = options.composer ?? await loadComposer();
  const renderer = options.renderer ?? soundfontRenderer({ soundfont: config.soundfont });
  // The SoundFont takes seconds to load: in the background while the bot logs in, not in the first request.
  renderer.prepare?.().catch((error: unknown) => log.warn({ err: error }, 'could not get the renderer ready; the first take will try again'));
  const jobs = new TakeJobs({ rest: client.rest, composer, renderer, store, log, settings: config, progressIntervalMs });
  jobs.replies.concurrency = config.queue.concurrency;
  return { queue: takeQueue(store, config.queue, jobs), replies: jobs.replies };
}
