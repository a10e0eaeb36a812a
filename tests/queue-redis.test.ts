/**
 * The queue on BullMQ against a real Redis (MOTIF_TEST_REDIS_URL) and a real PostgreSQL store: limits that two bot
 * processes share, places in line, workers that run jobs once, retries with backoff, refusals that are not retried,
 * a worker shut down mid-job handing it to another, and recovery of what the store has and Redis lost. (A worker
 * killed outright is tests/e2e/workers.test.ts: a real process, killed.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueSettings } from '../src/config.ts';
import { RedisTakeQueue } from '../src/queue/redis-queue.ts';
import { TakeWorker } from '../src/queue/redis-worker.ts';
import { FinalFailure, type Admission, type JobWorker, type Ticket } from '../src/queue/take-queue.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import type { JobRecord, NewJob } from '../src/store/types.ts';
import { eventually } from './e2e/wait.ts';
import { TEST_REDIS_URL, scratchDatabase, scratchPrefix, withoutPostgres, withoutRedis, type ScratchDatabase } from './helpers/servers.ts';

const SETTINGS: QueueSettings = {
  concurrency: 1, maxWaiting: 4, perUserInFlight: 2, cooldownMs: 0, perGuildInFlight: 3, attempts: 2, lockMs: 5_000,
};

const job = (userId: string, guildId: string | null = 'g1'): NewJob => ({
  userId, guildId, channelId: 'c', requestId: null,
  payload: { kind: 'compose', requestId: 1, options: { prompt: 'lofi piano' }, seeds: [1] },
  reply: { type: 'channel', userId, channelId: 'c' },
});

function ticketOf(admission: Admission): Ticket {
  if (!admission.ok) throw new Error(`refused: ${admission.refusal.reason}`);
  return admission.ticket;
}

/** A job worker whose jobs finish (or fail) when the test says so, and that records the attempts it saw. */
function controlledWorker() {
  const finishers = new Map<number, (error?: Error) => void>();
  const attempts: [number, boolean][] = [];
  const run: JobWorker = (record, signal, attempt) => new Promise<void>((resolve, reject) => {
    attempts.push([record.id, attempt.final]);
    finishers.set(record.id, (error) => (error ? reject(error) : resolve()));
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });
  return { run, attempts, finish: (id: number, error?: Error) => finishers.get(id)!(error) };
}

describe.skipIf(withoutRedis() || withoutPostgres())('the queue on BullMQ', () => {
  let database: ScratchDatabase;
  let store: PostgresStore;
  const opened: { close(graceMs?: number): Promise<void> }[] = [];

  beforeAll(async () => {
    database = await scratchDatabase();
    store = await PostgresStore.open(database.url);
  });

  afterEach(async () => {
    for (const item of opened.splice(0).reverse()) await item.close();
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  async function queue(prefix: string, settings = SETTINGS, hooks: Partial<Parameters<typeof RedisTakeQueue.open>[0]> = {}): Promise<RedisTakeQueue> {
    const made = await RedisTakeQueue.open({ url: TEST_REDIS_URL!, prefix, store, settings, ...hooks });
    opened.push(made);
    return made;
  }

  async function worker(prefix: string, run: JobWorker, extra: Partial<Parameters<typeof TakeWorker.start>[0]> = {}): Promise<TakeWorker> {
    const made = await TakeWorker.start({ url: TEST_REDIS_URL!, prefix, store, settings: SETTINGS, run, ...extra });
    opened.push(made);
    return made;
  }

  it('holds its limits across processes: per user, per server, in all, and the cooldown', async () => {
    const prefix = scratchPrefix();
    // Two bot processes on one Redis.
    const [one, two] = [await queue(prefix), await queue(prefix)];
    await one.enqueue(ticketOf(await one.admit('ann', 'g1')), job('ann'));
    await two.enqueue(ticketOf(await two.admit('ann', 'g1')), job('ann'));
    expect(await one.admit('ann', 'g1')).toEqual({ ok: false, refusal: { reason: 'user-limit', limit: 2 } });
    await one.enqueue(ticketOf(await one.admit('ben', 'g1')), job('ben'));
    // Three from server g1: a fourth from it is refused, while another server still gets in.
    expect(await two.admit('cat', 'g1')).toEqual({ ok: false, refusal: { reason: 'server-limit', limit: 3 } });
    const other = ticketOf(await two.admit('cat', 'g2'));
    // In all: concurrency + maxWaiting = 5 places, four held; a DM (no server) takes the last one.
    await two.enqueue(other, job('cat', 'g2'));
    const last = ticketOf(await one.admit('dan', null));
    expect(await two.admit('eve', 'g3')).toEqual({ ok: false, refusal: { reason: 'busy' } });
    // A ticket given back frees its place.
    last.release();
    await eventually(async () => (await two.admit('eve', 'g3')).ok, 2_000, 'the place given back');

    const cooling = await queue(scratchPrefix(), { ...SETTINGS, cooldownMs: 60_000 });
    await cooling.enqueue(ticketOf(await cooling.admit('fay', null)), job('fay', null));
    const refusal = await cooling.admit('fay', null);
    expect(refusal.ok).toBe(false);
    expect(!refusal.ok && refusal.refusal.reason).toBe('cooldown');
    expect(!refusal.ok && refusal.refusal.reason === 'cooldown' && refusal.refusal.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('shows places in line, runs each job once, frees its place when it is done, and counts the fleet for /stats', async () => {
    const prefix = scratchPrefix();
    const reported: [number, number][] = [];
    const left: number[] = [];
    const bot = await queue(prefix, SETTINGS, {
      onPositions: (changes) => changes.forEach((position, record) => reported.push([record.id, position])),
      onLeftLine: (record) => left.push(record.id),
    });
    const records: JobRecord[] = [];
    for (const user of ['a', 'b', 'c']) records.push((await bot.enqueue(ticketOf(await bot.admit(user, `g-${user}`)), job(user, `g-${user}`))).job);
    expect(await Promise.all(records.map((record) => bot.position(record.id)))).toEqual([1, 2, 3]);
    await eventually(() => reported.length >= 3 && reported, 2_000, 'places reported');

    const { run, attempts, finish } = controlledWorker();
    await worker(prefix, run);
    await eventually(() => attempts.length === 1, 5_000, 'the first job started');
    expect(attempts[0]).toEqual([records[0].id, false]);
    await eventually(async () => (await bot.position(records[2].id)) === 2 && reported.some(([id, place]) => id === records[2].id && place === 2), 5_000, 'the last job moved up');
    expect(left).toContain(records[0].id);
    expect(await bot.snapshot()).toEqual({ running: 1, waiting: 2, concurrency: 1, maxWaiting: 4 });

    for (const record of records) {
      await eventually(() => attempts.some(([id]) => id === record.id), 5_000, `job ${record.id} started`);
      finish(record.id);
    }
    await eventually(async () => (await bot.snapshot()).running === 0, 5_000, 'all done');
    expect(attempts.map(([id]) => id)).toEqual(records.map((record) => record.id));
    for (const record of records) expect((await store.getJob(record.id))!.status).toBe('done');
    // Their places are free again: user "a" may ask twice more.
    await bot.enqueue(ticketOf(await bot.admit('a', 'g-a')), job('a', 'g-a'));
    expect((await bot.admit('a', 'g-a')).ok).toBe(true);
  });

  it('tries a failed job again after a backoff, the second attempt final; a refusal is not tried again', async () => {
    const prefix = scratchPrefix();
    const bot = await queue(prefix);
    const { run, attempts, finish } = controlledWorker();
    await worker(prefix, run);
    const flaky = (await bot.enqueue(ticketOf(await bot.admit('a', null)), job('a', null))).job;
    await eventually(() => attempts.length === 1, 5_000, 'the first attempt');
    finish(flaky.id, new Error('Discord answered 502'));
    await eventually(() => attempts.length === 2, 15_000, 'the second attempt, after the backoff');
    expect(attempts).toEqual([[flaky.id, false], [flaky.id, true]]);
    finish(flaky.id, new Error('Discord answered 502 again'));
    await eventually(async () => (await store.getJob(flaky.id))!.status === 'failed', 5_000, 'the job failed');
    expect((await store.getJob(flaky.id))!.error).toBe('Discord answered 502 again');

    const refused = (await bot.enqueue(ticketOf(await bot.admit('b', null)), job('b', null))).job;
    await eventually(() => attempts.length === 3, 5_000, 'the refused job started');
    finish(refused.id, new FinalFailure('9000 bpm is out of range'));
    await eventually(async () => (await store.getJob(refused.id))!.status === 'failed', 5_000, 'the refusal recorded');
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(attempts.filter(([id]) => id === refused.id)).toHaveLength(1);
  });

  it('a worker shut down mid-job puts it back in line, and another worker makes it', async () => {
    const prefix = scratchPrefix();
    const bot = await queue(prefix);
    const first = controlledWorker();
    const leaving = await TakeWorker.start({ url: TEST_REDIS_URL!, prefix, store, settings: SETTINGS, run: first.run });
    const record = (await bot.enqueue(ticketOf(await bot.admit('a', null)), job('a', null))).job;
    await eventually(() => first.attempts.length === 1, 5_000, 'the job started');
    await leaving.close(0);
    expect(await bot.position(record.id)).toBe(1);
    const second = controlledWorker();
    await worker(prefix, second.run);
    await eventually(() => second.attempts.length === 1, 5_000, 'another worker took it');
    second.finish(record.id);
    await eventually(async () => (await store.getJob(record.id))!.status === 'done', 5_000, 'done');
    expect((await store.getJob(record.id))!.attempts).toBe(2);
  });

  it('after a restart, queues again what the store has and Redis lost, and gives up a job started too often', async () => {
    const prefix = scratchPrefix();
    const lost = await store.insertJob(job('a', null));
    const tired = await store.insertJob(job('b', null));
    await store.markJobStarted(tired.id);
    await store.markJobStarted(tired.id);
    const bot = await queue(prefix);
    const recovered = await bot.recover(2);
    expect(recovered.requeued.map((found) => found.id)).toContain(lost.id);
    expect(recovered.abandoned.map((found) => found.id)).toEqual([tired.id]);
    expect((await store.getJob(tired.id))!.status).toBe('abandoned');
    expect(await bot.position(lost.id)).toBe(recovered.requeued.findIndex((found) => found.id === lost.id) + 1);
    // Once more (a second bot process starting): nothing is queued twice.
    await bot.recover(2);
    expect((await bot.snapshot()).waiting).toBe(recovered.requeued.length);
  });
});
