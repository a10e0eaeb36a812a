import { describe, expect, it } from 'vitest';
import { JobQueue, type Admission, type JobWorker, type Ticket } from '../src/queue/job-queue.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { JobRecord, NewJob } from '../src/store/types.ts';

const limits = { concurrency: 2, maxWaiting: 3, perUserInFlight: 2, cooldownMs: 0, perGuildInFlight: 10, attempts: 2, lockMs: 30_000 };

/** A worker whose jobs finish when the test says so. */
function controlledWorker() {
  const finishers = new Map<number, (error?: Error) => void>();
  const started: number[] = [];
  const worker: JobWorker = (job, signal) => new Promise<void>((resolve, reject) => {
    started.push(job.id);
    finishers.set(job.id, (error) => (error ? reject(error) : resolve()));
    signal.addEventListener('abort', () => reject(signal.reason));
  });
  return { worker, started, finish: (id: number, error?: Error) => finishers.get(id)!(error) };
}

function ticketOf(admission: Admission): Ticket {
  if (!admission.ok) throw new Error(`refused: ${admission.refusal.reason}`);
  return admission.ticket;
}

const job = (userId: string): NewJob => ({
  userId, guildId: null, channelId: 'c', requestId: null,
  payload: { kind: 'compose', requestId: 1, options: { prompt: 'lofi piano' }, seeds: [1] },
  reply: { type: 'channel', userId, channelId: 'c' },
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('the job queue', () => {
  it('runs a bounded number at once, keeps order, reports places in line and says busy past its length', async () => {
    const store = new SqliteStore(':memory:');
    const { worker, started, finish } = controlledWorker();
    const reported: [number, number][] = [];
    const queue = new JobQueue(store, limits, worker, { onPositions: (changes) => changes.forEach((position, record) => reported.push([record.id, position])) });
    const positions = [];
    for (const user of ['a', 'b', 'c', 'd', 'e']) positions.push((await queue.enqueue(ticketOf(queue.admit(user)), job(user))).position);
    expect(positions).toEqual([0, 0, 1, 2, 3]);
    const refused = queue.admit('f');
    expect(refused).toEqual({ ok: false, refusal: { reason: 'busy' } });
    await settle();
    expect(started).toEqual([1, 2]);
    expect(queue.snapshot()).toMatchObject({ running: 2, waiting: 3 });
    finish(1);
    await settle();
    expect(started).toEqual([1, 2, 3]);
    expect(reported.slice(-2)).toEqual([[4, 1], [5, 2]]);
    expect(queue.position(5)).toBe(2);
    finish(2, new Error('the model broke'));
    await settle();
    expect((await store.getJob(1))!.status).toBe('done');
    expect((await store.getJob(2))!).toMatchObject({ status: 'failed', error: 'the model broke' });
    for (const id of [3, 4, 5]) {
      await settle();
      finish(id);
    }
    await queue.idle();
    expect(await store.unfinishedJobs()).toEqual({ jobs: [], unreadable: [] });
  });

  it('limits jobs in flight per user and spaces a user\'s requests by the cooldown', async () => {
    const store = new SqliteStore(':memory:');
    let now = 1_000_000;
    const { worker, finish } = controlledWorker();
    const queue = new JobQueue(store, { ...limits, perUserInFlight: 1, cooldownMs: 10_000 }, worker, { now: () => now });
    await queue.enqueue(ticketOf(queue.admit('a')), job('a'));
    expect(queue.admit('a')).toEqual({ ok: false, refusal: { reason: 'user-limit', limit: 1 } });
    finish(1);
    await settle();
    now += 4_000;
    expect(queue.admit('a')).toEqual({ ok: false, refusal: { reason: 'cooldown', retryAfterMs: 6_000 } });
    now += 6_000;
    const ticket = ticketOf(queue.admit('a'));
    // A ticket given back (the request could not be acknowledged) restores the user's place and cooldown.
    ticket.release();
    expect(queue.admit('a').ok).toBe(true);
  });

  it('after a restart, puts cut-off jobs first in line and gives up those cut off too often', async () => {
    const store = new SqliteStore(':memory:');
    const first = new JobQueue(store, limits, controlledWorker().worker);
    for (const user of ['a', 'b', 'c']) await first.enqueue(ticketOf(first.admit(user)), job(user));
    await settle();
    await first.close(0);
    const left = (await store.unfinishedJobs()).jobs;
    expect(left.map((found: JobRecord) => [found.id, found.status, found.attempts])).toEqual([[1, 'running', 1], [2, 'running', 1], [3, 'queued', 0]]);

    const second = controlledWorker();
    const restarted = new JobQueue(store, { ...limits, concurrency: 2 }, second.worker);
    await restarted.enqueue(ticketOf(restarted.admit('z')), job('z'));
    const { requeued, abandoned } = await restarted.recover(2);
    expect(requeued.map((found) => found.id)).toEqual([1, 2, 3]);
    expect(abandoned).toEqual([]);
    await settle();
    // Job 4 was accepted first and started; the recovered ones come next, oldest first, ahead of anything new.
    expect(second.started).toEqual([4, 1]);
    expect([1, 2, 3, 4].map((id) => restarted.position(id))).toEqual([0, 1, 2, 0]);
    await restarted.close(0);

    const third = new JobQueue(store, limits, controlledWorker().worker);
    const again = await third.recover(2);
    // Job 1 was started by both earlier runs: it is given up, the others go on.
    expect(again.abandoned.map((found) => found.id)).toEqual([1]);
    expect((await store.getJob(1))!.status).toBe('abandoned');
    expect(again.requeued.map((found) => found.id)).toEqual([2, 3, 4]);
    await third.close(0);
  });

  it('refuses new work once closed and lets running jobs finish within the grace period', async () => {
    const store = new SqliteStore(':memory:');
    const { worker, finish } = controlledWorker();
    const queue = new JobQueue(store, limits, worker);
    await queue.enqueue(ticketOf(queue.admit('a')), job('a'));
    await settle();
    const closing = queue.close(5_000);
    expect(queue.admit('b')).toEqual({ ok: false, refusal: { reason: 'closed' } });
    finish(1);
    await closing;
    expect((await store.getJob(1))!.status).toBe('done');
  });
});
