/**
 * The workers' side of the queue on BullMQ: takes jobs from Redis, a few at a time, and runs them (the take pipeline).
 * BullMQ holds a lock on each running job that the worker renews; a worker that dies stops renewing, and after
 * `lockMs` another worker's stalled-job check puts the job back in line. A job that stalls twice is given up, as in
 * process a job cut off by two restarts is, and its user told. A job that fails is tried again with backoff, up to
 * `attempts` times; a FinalFailure (the request cannot be honoured) is not.
 *
 * The store is the job's record: started, done, failed or abandoned is written there by the worker that saw it, and a
 * job whose record says it is over is not run again (so a take is posted once even if BullMQ hands a job out twice).
 */
import { randomUUID } from 'node:crypto';
import { QueueEvents, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueSettings } from '../config.ts';
import type { JobRecord, JobStore } from '../store/types.ts';
import { DEFAULT_PREFIX, QUEUE_NAME, motifKeys, redisOptions, type TakeJobData } from './redis-keys.ts';
import { SharedLimits } from './shared-limits.ts';
import { FinalFailure, type JobWorker } from './take-queue.ts';

/** BullMQ's reason for a job that stalled more than maxStalledCount times (its workers died). */
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';
/** How often a worker says it is alive (for /stats), and how long the word lasts. */
const HEARTBEAT_MS = 10_000;
const FINISHED = new Set(['done', 'failed', 'abandoned']);

export interface TakeWorkerOptions {
  url: string;
  prefix?: string;
  store: JobStore;
  settings: QueueSettings;
  run: JobWorker;
  /** A job given up because the workers running it died: tell its user. */
  onAbandoned?: (job: JobRecord) => Promise<void>;
  onError?: (error: unknown, job?: number) => void;
}

export class TakeWorker {
  private readonly running = new Map<number, AbortController>();
  private readonly limits: SharedLimits;
  private readonly id = randomUUID();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** Past the grace period of a close: every job this worker holds goes back in line. */
  private abortingRuns = false;

  private constructor(
    private readonly options: TakeWorkerOptions,
    private readonly prefix: string,
    private readonly redis: Redis,
    private readonly worker: Worker<TakeJobData>,
    private readonly events: QueueEvents,
  ) {
    this.limits = new SharedLimits(redis, prefix, options.settings);
    events.on('failed', ({ jobId, failedReason }) => {
      if (failedReason === STALLED_TOO_OFTEN) this.giveUp(jobId).catch((error: unknown) => options.onError?.(error));
    });
  }

  static async start(options: TakeWorkerOptions): Promise<TakeWorker> {
    const connection = redisOptions(options.url);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const redis = new Redis(connection);
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix });
    let self: TakeWorker | undefined;
    const worker = new Worker<TakeJobData>(QUEUE_NAME, (job, token) => self!.process(job, token), {
      connection, prefix, concurrency: options.settings.concurrency, autorun: false,
      lockDuration: options.settings.lockMs, stalledInterval: options.settings.lockMs, maxStalledCount: 1,
    });
    const onError = (error: unknown) => options.onError?.(error);
    redis.on('error', onError);
    worker.on('error', onError);
    events.on('error', onError);
    self = new TakeWorker(options, prefix, redis, worker, events);
    try {
      await Promise.all([events.waitUntilReady(), worker.waitUntilReady(), redis.ping()]);
    } catch (error) {
      await self.close();
      throw error;
    }
    await self.beat();
    self.heartbeat = setInterval(() => self!.beat().catch((error: unknown) => options.onError?.(error)), HEARTBEAT_MS);
    worker.run().catch((error: unknown) => options.onError?.(error));
    return self;
  }

  /** Jobs this worker is running now. */
  get busy(): number {
    return this.running.size;
  }

  private async beat(): Promise<void> {
    const entry = `${this.options.settings.concurrency}:${Date.now() + 3 * HEARTBEAT_MS}`;
    await this.redis.hset(motifKeys(this.prefix).workers, this.id, entry);
  }

  private async process(bull: Job<TakeJobData>, token: string | undefined): Promise<void> {
    const data = bull.data;
    const { store } = this.options;
    let record: JobRecord | undefined;
    try {
      record = await store.getJob(data.jobId);
    } catch (error) {
      // A row that cannot be read: nothing to run, and no attempt will read it better.
      const message = error instanceof Error ? error.message : String(error);
      await store.finishJob(data.jobId, 'failed', message);
      await this.limits.finish(data);
      throw new UnrecoverableError(message);
    }
    if (!record || FINISHED.has(record.status)) {
      // Already over (a worker finished it and died before telling BullMQ): it must not be posted again.
      await this.limits.finish(data);
      return;
    }
    if (this.abortingRuns) {
      // Fetched as the worker began to close, after the running jobs were told: it goes back untouched.
      await bull.moveToWait(token);
      throw new WaitingError();
    }
    await this.limits.renew(data);
    const started = await store.markJobStarted(record.id);
    const final = bull.attemptsMade + 1 >= (bull.opts.attempts ?? 1);
    const controller = new AbortController();
    this.running.set(record.id, controller);
    if (this.abortingRuns) controller.abort(new Error('the worker is shutting down'));
    try {
      await this.options.run(started, controller.signal, { final });
      await store.finishJob(record.id, 'done');
      await this.limits.finish(data);
    } catch (error) {
      if (controller.signal.aborted) {
        // This worker is shutting down: the job goes back in line for another one.
        await bull.moveToWait(token);
        throw new WaitingError();
      }
      this.options.onError?.(error, record.id);
      const message = error instanceof Error ? error.message : String(error);
      if (!final && !(error instanceof FinalFailure)) throw error;
      await store.finishJob(record.id, 'failed', message);
      await this.limits.finish(data);
      throw new UnrecoverableError(message);
    } finally {
      this.running.delete(record.id);
    }
  }

  /** A job BullMQ gave up on (it stalled too often): recorded as abandoned and its user told, by one worker only. */
  private async giveUp(bullId: string): Promise<void> {
    const jobId = Number(/^job-(\d+)$/.exec(bullId)?.[1]);
    if (!Number.isInteger(jobId)) return;
    const claimed = await this.redis.set(`${motifKeys(this.prefix).workers}:gave-up:${jobId}`, this.id, 'PX', 3_600_000, 'NX');
    if (claimed !== 'OK') return;
    const job = await this.options.store.getJob(jobId);
    if (!job || FINISHED.has(job.status)) return;
    await this.options.store.finishJob(job.id, 'abandoned', `cut off ${job.attempts} times`);
    await this.limits.finish({ jobId: job.id, userId: job.userId, guildId: job.guildId });
    await this.options.onAbandoned?.(job);
  }

  /**
   * Takes no new jobs; running ones get `graceMs` to finish, then are aborted and put back in line for another
   * worker (a worker that never comes back is the stalled-job check's business).
   */
  close(graceMs = 0): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      const closed = this.worker.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      })]);
      clearTimeout(timer);
      this.abortingRuns = true;
      for (const controller of this.running.values()) controller.abort(new Error('the worker is shutting down'));
      await closed.catch((error: unknown) => this.options.onError?.(error));
      await this.redis.hdel(motifKeys(this.prefix).workers, this.id).catch(() => {});
      await this.events.close().catch(() => {});
      this.redis.disconnect();
    })();
    return this.closing;
  }
}
