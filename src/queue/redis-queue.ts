/**
 * The bot's side of the queue on BullMQ (REDIS_URL): admit against the limits every process shares (shared-limits.ts),
 * record the job in the store, then add it to BullMQ, where `motif worker` processes take it (redis-worker.ts). BullMQ
 * keeps queued jobs through restarts (Redis with its append-only file); the store's record is the second copy, and
 * `recover` puts back any job the store has and Redis lost.
 *
 * Places in line: BullMQ's waiting list is first in, first out, so a job's place is its distance from the list's end.
 * The bot watches the queue's events and tells the jobs it queued their place as it changes; once a worker takes a
 * job, the worker speaks for it.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueSettings } from '../config.ts';
import type { JobRecord, JobStore, NewJob } from '../store/types.ts';
import { DEFAULT_PREFIX, QUEUE_NAME, bullJobId, motifKeys, redisOptions, type TakeJobData } from './redis-keys.ts';
import { SharedLimits } from './shared-limits.ts';
import type { Admission, QueueSnapshot, Recovered, TakeQueue, Ticket } from './take-queue.ts';

/** First wait before a failed job is tried again; it doubles each time. */
export const RETRY_BACKOFF_MS = 5_000;
/** Failed jobs stay in Redis this long, for a person to look at (the store keeps them for good). */
const KEEP_FAILED_S = 7 * 24 * 3600;
/** Events come in bursts (a job finishing starts the next): places are worked out once a burst is over. */
const POSITIONS_DEBOUNCE_MS = 100;

export interface RedisQueueOptions {
  url: string;
  /** Keys start with this (default "motif"); tests use one each. */
  prefix?: string;
  store: JobStore;
  settings: QueueSettings;
  /** Jobs this process queued whose place in line changed (1 = next). */
  onPositions?: (positions: ReadonlyMap<JobRecord, number>) => void;
  /** A job this process queued left the line (a worker took it, or it is gone): stop speaking for it. */
  onLeftLine?: (job: JobRecord) => void;
  onError?: (error: unknown) => void;
}

/** How a store job is added to BullMQ: its id, its tries with backoff, and what is kept when it ends. */
export function addJob(queue: Queue, job: JobRecord, attempts: number): Promise<unknown> {
  const data: TakeJobData = { jobId: job.id, userId: job.userId, guildId: job.guildId };
  return queue.add(job.payload.kind, data, {
    jobId: bullJobId(job.id), attempts, backoff: { type: 'exponential', delay: RETRY_BACKOFF_MS },
    removeOnComplete: true, removeOnFail: { age: KEEP_FAILED_S },
  });
}

export class RedisTakeQueue implements TakeQueue {
  private readonly limits: SharedLimits;
  private readonly tracked = new Map<number, { job: JobRecord; position?: number }>();
  private positionsTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly options: RedisQueueOptions,
    private readonly prefix: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
  ) {
    this.limits = new SharedLimits(redis, prefix, options.settings);
    for (const event of ['waiting', 'active', 'completed', 'failed', 'removed', 'delayed', 'stalled'] as const) {
      events.on(event, () => this.schedulePositions());
    }
  }

  static async open(options: RedisQueueOptions): Promise<RedisTakeQueue> {
    const connection = redisOptions(options.url);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const redis = new Redis(connection);
    const queue = new Queue(QUEUE_NAME, { connection, prefix });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix });
    const onError = (error: unknown) => options.onError?.(error);
    redis.on('error', onError);
    queue.on('error', onError);
    events.on('error', onError);
    try {
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), redis.ping()]);
    } catch (error) {
      await Promise.allSettled([events.close(), queue.close()]);
      redis.disconnect();
      throw error;
    }
    return new RedisTakeQueue(options, prefix, redis, queue, events);
  }

  async admit(userId: string, guildId: string | null): Promise<Admission> {
    if (this.closed) return { ok: false, refusal: { reason: 'closed' } };
    const reserved = await this.limits.admit(userId, guildId);
    if (!reserved.ok) return reserved;
    const ticket: Ticket & { entry: string; guildId: string | null; used: boolean } = {
      userId, guildId, entry: reserved.ticket, used: false,
      release: () => {
        if (ticket.used) return;
        ticket.used = true;
        this.limits.release(reserved.ticket, userId, guildId).catch((error: unknown) => this.options.onError?.(error));
      },
    };
    return { ok: true, ticket };
  }

  async enqueue(ticket: Ticket, job: NewJob): Promise<{ job: JobRecord; position: number }> {
    const held = ticket as Ticket & { entry?: string; used?: boolean };
    if (job.userId !== ticket.userId || held.entry === undefined) throw new Error('a ticket is for the user and the queue that admitted it');
    if (held.used) throw new Error('a ticket can be used once');
    let record: JobRecord;
    try {
      record = await this.options.store.insertJob(job);
    } catch (error) {
      ticket.release();
      throw error;
    }
    held.used = true;
    await this.limits.hold(held.entry, { jobId: record.id, userId: record.userId, guildId: record.guildId });
    await addJob(this.queue, record, this.options.settings.attempts);
    this.tracked.set(record.id, { job: record });
    const position = (await this.position(record.id)) ?? 0;
    this.schedulePositions();
    return { job: record, position };
  }

  /** 0 while a worker has the job, 1.. while it waits (1 = next), undefined otherwise (delayed for a retry, or gone). */
  async position(jobId: number): Promise<number | undefined> {
    const id = bullJobId(jobId);
    const waitKey = this.queue.toKey('wait');
    const [index, length, active] = await Promise.all([
      this.redis.lpos(waitKey, id), this.redis.llen(waitKey), this.redis.lpos(this.queue.toKey('active'), id),
    ]);
    if (active !== null) return 0;
    // New jobs are pushed at the list's head and taken from its end.
    return index === null ? undefined : length - index;
  }

  async snapshot(): Promise<QueueSnapshot> {
    const counts = await this.queue.getJobCounts('active', 'wait', 'prioritized', 'delayed');
    const workers = await this.redis.hgetall(motifKeys(this.prefix).workers);
    const now = Date.now();
    let concurrency = 0;
    for (const entry of Object.values(workers)) {
      const [slots, expiresAt] = entry.split(':').map(Number);
      if (expiresAt > now) concurrency += slots;
    }
    return {
      running: counts.active ?? 0,
      waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      concurrency,
      maxWaiting: this.options.settings.maxWaiting,
    };
  }

  /**
   * Matches the store's unfinished jobs against BullMQ's: a job Redis lost (or never got: the process died between
   * the store and the queue) is added again, unless it was already started `maxAttempts` times; one that BullMQ gave
   * up on (it stalled too often, and no worker recorded it) is marked abandoned. The caller tells the users of
   * abandoned jobs. Jobs Redis holds are BullMQ's to run: it recovers stalled ones itself.
   */
  async recover(maxAttempts = 2): Promise<Recovered> {
    const found: Recovered = { requeued: [], abandoned: [], unreadable: [] };
    const { jobs, unreadable } = await this.options.store.unfinishedJobs();
    found.unreadable = unreadable;
    for (const job of jobs) {
      const state = await this.queue.getJobState(bullJobId(job.id));
      const data: TakeJobData = { jobId: job.id, userId: job.userId, guildId: job.guildId };
      if (state === 'failed' || (state === 'unknown' && job.attempts >= maxAttempts)) {
        await this.options.store.finishJob(job.id, 'abandoned', `cut off ${job.attempts} times`);
        await this.limits.finish(data);
        found.abandoned.push(job);
      } else if (state === 'unknown') {
        await addJob(this.queue, job, this.options.settings.attempts);
        await this.limits.renew(data);
        found.requeued.push(job);
      }
    }
    return found;
  }

  /** Stops admitting; queued jobs stay in Redis for the workers. The bot runs none, so there is nothing to wait for. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.positionsTimer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  private schedulePositions(): void {
    if (this.closed || this.tracked.size === 0 || this.positionsTimer) return;
    this.positionsTimer = setTimeout(() => {
      this.positionsTimer = undefined;
      this.reportPositions().catch((error: unknown) => this.options.onError?.(error));
    }, POSITIONS_DEBOUNCE_MS);
  }

  private async reportPositions(): Promise<void> {
    const changed = new Map<JobRecord, number>();
    for (const [id, entry] of this.tracked) {
      const position = await this.position(id);
      if (this.closed) return;
      if (position === undefined || position === 0) {
        this.tracked.delete(id);
        this.options.onLeftLine?.(entry.job);
      } else if (position !== entry.position) {
        entry.position = position;
        changed.set(entry.job, position);
      }
    }
    if (changed.size > 0) this.options.onPositions?.(changed);
  }
}
