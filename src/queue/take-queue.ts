/**
 * What the bot asks of a job queue, whichever runs it: the in-process queue (job-queue.ts, the default) or BullMQ on
 * Redis (redis-queue.ts and redis-worker.ts, when REDIS_URL is set). Admission is two steps so that a caller can
 * answer a refusal at once and acknowledge an acceptance before the job can start: `admit` (reserves a place or says
 * why not) then `enqueue` (records the job in the store, then queues it).
 */
import type { JobRecord, NewJob, UnreadableJob } from '../store/types.ts';

export type Refusal =
  | { reason: 'busy' }
  | { reason: 'user-limit'; limit: number }
  | { reason: 'server-limit'; limit: number }
  | { reason: 'cooldown'; retryAfterMs: number }
  | { reason: 'closed' };

export interface Ticket {
  readonly userId: string;
  /** Gives the place back when the job will not be enqueued after all. */
  release(): void;
}

export type Admission = { ok: true; ticket: Ticket } | { ok: false; refusal: Refusal };

export interface JobAttempt {
  /** No attempt follows this one: a failure now is the job's failure, to be told to its user. */
  final: boolean;
}

/**
 * Runs one job; `signal` aborts when the queue closes without waiting. A throw fails this attempt; the queue tries
 * again (BullMQ, with backoff) unless the attempt was final or the error is a FinalFailure.
 */
export type JobWorker = (job: JobRecord, signal: AbortSignal, attempt: JobAttempt) => Promise<void>;

/** A failure that another attempt cannot mend (the request cannot be honoured, its take is gone); its user was told. */
export class FinalFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FinalFailure';
  }
}

export interface QueueSnapshot {
  /** Jobs being made now. */
  running: number;
  waiting: number;
  /** Jobs that can be made at once (in the whole fleet of workers, with BullMQ). */
  concurrency: number;
  maxWaiting: number;
}

/** Jobs a previous run left behind, as `recover` found them. */
export interface Recovered {
  requeued: JobRecord[];
  /** Cut off too often: marked abandoned; the caller tells their users. */
  abandoned: JobRecord[];
  /** Rows the store could not read: it marked them failed; the caller logs them. */
  unreadable: UnreadableJob[];
}

export interface TakeQueue {
  admit(userId: string, guildId: string | null): Admission | Promise<Admission>;
  /** Records the job, then puts it in line; returns its place (0: it started at once). */
  enqueue(ticket: Ticket, job: NewJob): Promise<{ job: JobRecord; position: number }>;
  snapshot(): QueueSnapshot | Promise<QueueSnapshot>;
  recover(maxAttempts?: number): Promise<Recovered>;
  /** Stops taking jobs; running ones get `graceMs` to finish, the rest stay recorded for the next start. */
  close(graceMs?: number): Promise<void>;
}
