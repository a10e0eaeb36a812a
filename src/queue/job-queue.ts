/**
 * The in-process job queue, the default: a few jobs run at once, a bounded number wait in line (first come, first
 * served), and each user has a limit on jobs in flight and a cooldown between requests. A job is written to the store
 * before it can start, so a restart finds what was cut off (`recover`). `admit` is synchronous here: nothing else
 * shares the limits. Each job gets one attempt; a restart is its second.
 */
import type { QueueSettings } from '../config.ts';
import type { JobRecord, JobStore, NewJob } from '../store/types.ts';
import type { Admission, JobWorker, QueueSnapshot, Recovered, TakeQueue, Ticket } from './take-queue.ts';

export type { Admission, JobWorker, QueueSnapshot, Refusal, Ticket } from './take-queue.ts';

export interface QueueHooks {
  /** Waiting jobs whose place in line changed (1 = next). */
  onPositions?: (positions: ReadonlyMap<JobRecord, number>) => void;
  onJobError?: (job: JobRecord, error: unknown) => void;
  now?: () => number;
}

interface Waiting {
  job: JobRecord;
}

export class JobQueue implements TakeQueue {
  private readonly waiting: Waiting[] = [];
  private readonly running = new Map<number, { job: JobRecord; controller: AbortController; done: Promise<void> }>();
  private readonly inFlightByUser = new Map<string, number>();
  private readonly lastAdmitted = new Map<string, number>();
  private readonly reported = new Map<number, number>();
  private tickets = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly limits: QueueSettings,
    private readonly worker: JobWorker,
    private readonly hooks: QueueHooks = {},
  ) {}

  private now(): number {
    return this.hooks.now?.() ?? Date.now();
  }

  /** Reserves a place for `userId`'s next job, or says why there is none. */
  admit(userId: string): Admission {
    if (this.closed) return { ok: false, refusal: { reason: 'closed' } };
    const inFlight = this.inFlightByUser.get(userId) ?? 0;
    if (inFlight >= this.limits.perUserInFlight) return { ok: false, refusal: { reason: 'user-limit', limit: this.limits.perUserInFlight } };
    const previous = this.lastAdmitted.get(userId);
    const now = this.now();
    if (previous !== undefined && now - previous < this.limits.cooldownMs) {
      return { ok: false, refusal: { reason: 'cooldown', retryAfterMs: this.limits.cooldownMs - (now - previous) } };
    }
    if (this.running.size + this.waiting.length + this.tickets >= this.limits.concurrency + this.limits.maxWaiting) {
      return { ok: false, refusal: { reason: 'busy' } };
    }
    this.tickets++;
    this.addInFlight(userId, 1);
    this.lastAdmitted.set(userId, now);
    let used = false;
    const ticket: Ticket & { use(): void } = {
      userId,
      release: () => {
        if (used) return;
        used = true;
        this.tickets--;
        this.addInFlight(userId, -1);
        if (previous === undefined) this.lastAdmitted.delete(userId);
        else this.lastAdmitted.set(userId, previous);
      },
      use: () => {
        if (used) throw new Error('a ticket can be used once');
        used = true;
        this.tickets--;
      },
    };
    return { ok: true, ticket };
  }

  /** Records the job, then puts it in line; returns its place (0: it started at once). */
  async enqueue(ticket: Ticket, job: NewJob): Promise<{ job: JobRecord; position: number }> {
    if (job.userId !== ticket.userId) throw new Error('a ticket is for the user it was admitted for');
    let record: JobRecord;
    try {
      record = await this.store.insertJob(job);
    } catch (error) {
      ticket.release();
      throw error;
    }
    (ticket as Ticket & { use(): void }).use();
    this.waiting.push({ job: record });
    this.pump();
    return { job: record, position: this.position(record.id) ?? 0 };
  }

  /**
   * Puts back in line the jobs a previous run left queued or running (oldest first, ahead of new ones), except those
   * already started `maxAttempts` times, which are marked abandoned: the caller tells their users. Rows the store
   * could not read are marked failed by it and listed as unreadable, for the caller to log.
   */
  async recover(maxAttempts = 2): Promise<Recovered> {
    const requeued: JobRecord[] = [];
    const abandoned: JobRecord[] = [];
    const { jobs, unreadable } = await this.store.unfinishedJobs();
    for (const job of jobs) {
      if (this.running.has(job.id) || this.waiting.some((entry) => entry.job.id === job.id)) continue;
      if (job.attempts >= maxAttempts) {
        await this.store.finishJob(job.id, 'abandoned', `cut off by ${job.attempts} restarts`);
        abandoned.push(job);
      } else {
        requeued.push(job);
      }
    }
    this.waiting.unshift(...requeued.map((job) => ({ job })));
    for (const job of requeued) this.addInFlight(job.userId, 1);
    this.pump();
    return { requeued, abandoned, unreadable };
  }

  /** 0 while the job runs, 1.. while it waits (1 = next), undefined when the queue does not hold it. */
  position(jobId: number): number | undefined {
    if (this.running.has(jobId)) return 0;
    const index = this.waiting.findIndex((entry) => entry.job.id === jobId);
    return index >= 0 ? index + 1 : undefined;
  }

  snapshot(): QueueSnapshot {
    return { running: this.running.size, waiting: this.waiting.length, concurrency: this.limits.concurrency, maxWaiting: this.limits.maxWaiting };
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops starting jobs. Running jobs get `graceMs` to finish, then are aborted; aborted and waiting jobs stay
   * unfinished in the store for the next run's `recover`.
   */
  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    const running = [...this.running.values()];
    const finished = Promise.all(running.map((entry) => entry.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    for (const entry of running) entry.controller.abort(new Error('the queue closed'));
    await finished;
  }

  private addInFlight(userId: string, delta: number): void {
    const count = (this.inFlightByUser.get(userId) ?? 0) + delta;
    if (count > 0) this.inFlightByUser.set(userId, count);
    else this.inFlightByUser.delete(userId);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.limits.concurrency && this.waiting.length > 0) {
      const { job } = this.waiting.shift()!;
      this.reported.delete(job.id);
      const controller = new AbortController();
      const entry = { job, controller, done: Promise.resolve() };
      entry.done = this.runJob(job, controller.signal).finally(() => {
        this.running.delete(job.id);
        this.addInFlight(job.userId, -1);
        this.pump();
      });
      this.running.set(job.id, entry);
    }
    this.reportPositions();
    if (this.running.size === 0 && (this.waiting.length === 0 || this.closed)) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async runJob(job: JobRecord, signal: AbortSignal): Promise<void> {
    try {
      const started = await this.store.markJobStarted(job.id);
      await this.worker(started, signal, { final: true });
      if (!signal.aborted) await this.store.finishJob(job.id, 'done');
    } catch (error) {
      if (signal.aborted) return;
      this.hooks.onJobError?.(job, error);
      await this.store.finishJob(job.id, 'failed', error instanceof Error ? error.message : String(error)).catch(() => {});
    }
  }

  private reportPositions(): void {
    if (!this.hooks.onPositions) return;
    const changed = new Map<JobRecord, number>();
    this.waiting.forEach(({ job }, index) => {
      if (this.reported.get(job.id) !== index + 1) {
        this.reported.set(job.id, index + 1);
        changed.set(job, index + 1);
      }
    });
    if (changed.size > 0) this.hooks.onPositions(changed);
  }
}
