/**
 * Decodes concurrent requests together. Each loop: requests join (up to `maxBatch`), a request with a long run of
 * tokens to read (a forced prefix, a moved window) reads it in a call of its own, then one batched call advances
 * every other request by one token. Requests join and leave between calls; rows of different lengths share a batch
 * through left padding, the attention mask and their own position ids.
 *
 * A request arriving while nothing runs starts at once (no waiting for company), and a request alone in the batch
 * decodes with its own tensors, so a single request pays nothing for batching.
 */
import { abortReason } from './errors.ts';
import type { Generation } from './generation.ts';
import type { OnnxMusicModel } from './onnx-model.ts';
import { emptyCache, type CrossState, type KvCache } from './tensors.ts';

export interface SchedulerOptions {
  /** Requests decoded at once; more wait in line. */
  maxBatch: number;
  /**
   * A request with more tokens than this to read leaves the batch and reads them in one call; fewer it reads one per
   * batched call. Decided per request, so a request's calls do not depend on who else is decoding.
   */
  prefillThreshold?: number;
}

export interface GenerationTimes {
  queuedMs: number;
  encodeMs: number;
  decodeMs: number;
  /** Model calls that included this request. */
  calls: number;
}

interface Entry {
  generation: Generation;
  signal?: AbortSignal;
  times: GenerationTimes;
  submitted: number;
  started: number;
  resolve: (times: GenerationTimes) => void;
  reject: (error: unknown) => void;
  detach: () => void;
  /** First row in the batch, while in it. */
  row: number;
}

export class DecodeScheduler {
  private readonly queue: Entry[] = [];
  /** Admitted requests outside the batch: new ones, and those reading a long run. */
  private readonly solo: Entry[] = [];
  private batch: Entry[] = [];
  private batchCache: KvCache | undefined;
  private batchCross: CrossState | undefined;
  /** Whether batchCross was stacked for the batch (and is the scheduler's to forget) or is its one member's own. */
  private batchCrossStacked = false;
  private running = false;
  private readonly prefillThreshold: number;

  constructor(private readonly model: OnnxMusicModel, private readonly options: SchedulerOptions) {
    if (!(options.maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, not ${options.maxBatch}`);
    this.prefillThreshold = options.prefillThreshold ?? 8;
  }

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.solo.length + this.batch.length;
  }

  /** Decodes a generation to its end; resolves with its times, rejects when cancelled or when the model fails. */
  run(generation: Generation, signal?: AbortSignal): Promise<GenerationTimes> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const now = performance.now();
      const entry: Entry = {
        generation, signal, submitted: now, started: now, resolve, reject, row: 0, detach: () => {},
        times: { queuedMs: 0, encodeMs: 0, decodeMs: 0, calls: 0 },
      };
      if (signal) {
        // A request still in line leaves at once; an active one at the next boundary between calls.
        const onAbort = () => {
          const index = this.queue.indexOf(entry);
          if (index >= 0) {
            this.queue.splice(index, 1);
            this.settle(entry, abortReason(signal));
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(entry);
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length || this.solo.length || this.batch.length) {
        try {
          await this.sweep();
          this.admit();
          const joining = await this.advanceSolo();
          await this.join(joining);
          if (this.batch.length) await this.step();
        } catch (error) {
          // A fault outside any one request's work: fail everything in flight rather than leave it waiting forever.
          this.failAll(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Ends cancelled requests and closes those past their deadline. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const entry of [...this.queue]) {
      if (entry.generation.checkDeadline(now)) {
        this.queue.splice(this.queue.indexOf(entry), 1);
        this.settle(entry);
      }
    }
    const batchLeavers = this.batch.filter((entry) => entry.signal?.aborted || entry.generation.checkDeadline(now));
    if (batchLeavers.length) await this.leave(batchLeavers);
    for (const entry of batchLeavers) this.settle(entry, entry.signal?.aborted ? abortReason(entry.signal) : undefined);
    for (const entry of [...this.solo]) {
      if (entry.signal?.aborted || entry.generation.checkDeadline(now)) {
        this.solo.splice(this.solo.indexOf(entry), 1);
        this.settle(entry, entry.signal?.aborted ? abortReason(entry.signal) : undefined);
      }
    }
  }

  private admit(): void {
    while (this.queue.length && this.active < this.options.maxBatch) {
      const entry = this.queue.shift()!;
      entry.started = performance.now();
      entry.times.queuedMs = entry.started - entry.submitted;
      this.solo.push(entry);
    }
  }

  /** Runs each request outside the batch until it can take batched steps; returns those ready to join. */
  private async advanceSolo(): Promise<Entry[]> {
    const ready: Entry[] = [];
    for (const entry of [...this.solo]) {
      const generation = entry.generation;
      try {
        if (!generation.cross) {
          const start = performance.now();
          generation.cross = await this.model.encodeText(generation.captions());
          entry.times.encodeMs = performance.now() - start;
        }
        for (;;) {
          if (generation.decide() === 'done') {
            this.solo.splice(this.solo.indexOf(entry), 1);
            this.settle(entry);
            break;
          }
          const cache = generation.cache;
          // A moved window starts the cache over; the old one is nobody's any more.
          if (generation.slideIfNeeded()) this.model.forget(cache);
          if (generation.pending.length <= this.prefillThreshold) {
            this.solo.splice(this.solo.indexOf(entry), 1);
            ready.push(entry);
            break;
          }
          await this.prefill(entry);
        }
      } catch (error) {
        const index = this.solo.indexOf(entry);
        if (index >= 0) this.solo.splice(index, 1);
        this.settle(entry, error);
      }
    }
    return ready;
  }

  /** Reads all pending tokens of a request outside the batch in one call, then picks its next token. */
  private async prefill(entry: Entry): Promise<void> {
    const generation = entry.generation;
    const rows = generation.rows;
    const cache = generation.cache ?? emptyCache(rows);
    const count = generation.pending.length;
    const inputIds = new BigInt64Array(rows * count);
    const positionIds = new BigInt64Array(rows * count);
    const barPositionIds = new BigInt64Array(rows * count);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < count; i++) {
        inputIds[r * count + i] = BigInt(generation.pending[i]);
        positionIds[r * count + i] = BigInt(generation.contextLength + i);
        barPositionIds[r * count + i] = BigInt(generation.pendingBarPositions[i]);
      }
    }
    const pastLengths = new Array<number>(rows).fill(generation.contextLength);
    const out = await this.model.decode({ inputIds, positionIds, barPositionIds, pastLengths, rows, newTokens: count, cache, cross: generation.cross! });
    entry.times.calls += 1;
    generation.cache = out.cache;
    generation.consumed(count);
    const vocab = this.model.dims.vocab;
    const rowLogits = (r: number) => out.logits.subarray(r * vocab, (r + 1) * vocab);
    generation.choose(rowLogits(0), rows === 2 ? rowLogits(1) : undefined);
  }

  /** Adds requests to the batch, rebuilding its tensors once. */
  private async join(entries: Entry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.rebuild([...this.batch, ...entries]);
  }

  /** Takes requests out of the batch; those in `keepCache` get their rows of the cache to continue outside. */
  private async leave(entries: readonly Entry[], keepCache: readonly Entry[] = []): Promise<void> {
    for (const entry of keepCache) {
      const generation = entry.generation;
      generation.cache = this.batchCache && generation.contextLength > 0
        ? await this.model.stackCacheRows([{ cache: this.batchCache, row: entry.row, count: generation.rows, length: generation.contextLength }])
        : undefined;
    }
    const retained = keepCache.flatMap((entry) => (entry.generation.cache ? [entry.generation.cache] : []));
    await this.rebuild(this.batch.filter((entry) => !entries.includes(entry)), retained);
  }

  /** The batch's cache and cross state for `members`; what no one holds afterwards (but `retained`) is forgotten. */
  private async rebuild(members: Entry[], retained: readonly KvCache[] = []): Promise<void> {
    const oldCache = this.batchCache;
    const oldCross = this.batchCrossStacked ? this.batchCross : undefined;
    const joiners = members.filter((entry) => !this.batch.includes(entry));
    const parts = members.map((entry) => {
      const generation = entry.generation;
      const inBatch = !joiners.includes(entry);
      const cache = inBatch ? oldCache! : generation.cache ?? emptyCache(generation.rows);
      return { cache, row: inBatch ? entry.row : 0, count: generation.rows, length: generation.contextLength };
    });
    const cache = members.length ? await this.model.stackCacheRows(parts) : undefined;
    const cross = members.length ? await this.model.stackCross(members.map((entry) => entry.generation.cross!)) : undefined;
    const held = new Set([cache?.id, ...retained.map((kept) => kept.id)]);
    const unheld = [oldCache, ...joiners.map((entry) => entry.generation.cache)].filter((old) => old && !held.has(old.id));
    let row = 0;
    for (const entry of members) {
      entry.row = row;
      entry.generation.cache = undefined;
      row += entry.generation.rows;
    }
    this.batch = members;
    this.batchCache = cache;
    this.batchCross = cross;
    this.batchCrossStacked = members.length > 1;
    this.model.forget(...unheld, oldCross && oldCross.id !== cross?.id ? oldCross : undefined);
  }

  /**
   * One batched call: every request in the batch reads its next pending token. A request alone reads all of its
   * pending tokens at once, so decoding by itself costs no more calls than it would outside the batch.
   */
  private async step(): Promise<void> {
    const cache = this.batchCache!;
    const rows = cache.rows;
    const newTokens = this.batch.length === 1 ? this.batch[0].generation.pending.length : 1;
    const inputIds = new BigInt64Array(rows * newTokens);
    const positionIds = new BigInt64Array(rows * newTokens);
    const barPositionIds = new BigInt64Array(rows * newTokens);
    const pastLengths = new Array<number>(rows);
    for (const entry of this.batch) {
      const generation = entry.generation;
      for (let r = entry.row; r < entry.row + generation.rows; r++) {
        for (let i = 0; i < newTokens; i++) {
          inputIds[r * newTokens + i] = BigInt(generation.pending[i]);
          positionIds[r * newTokens + i] = BigInt(generation.contextLength + i);
          barPositionIds[r * newTokens + i] = BigInt(generation.pendingBarPositions[i]);
        }
        pastLengths[r] = generation.contextLength;
      }
    }
    let out;
    try {
      out = await this.model.decode({ inputIds, positionIds, barPositionIds, pastLengths, rows, newTokens, cache, cross: this.batchCross! });
    } catch (error) {
      const failed = this.batch;
      await this.rebuild([]);
      for (const entry of failed) this.settle(entry, error);
      return;
    }
    this.batchCache = out.cache;
    const vocab = this.model.dims.vocab;
    const moving: Entry[] = [];
    const ending = new Map<Entry, unknown>();
    for (const entry of this.batch) {
      const generation = entry.generation;
      entry.times.calls += 1;
      generation.consumed(newTokens);
      try {
        if (generation.pending.length === 0) {
          const at = (r: number) => out.logits.subarray(r * vocab, (r + 1) * vocab);
          generation.choose(at(entry.row), generation.rows === 2 ? at(entry.row + 1) : undefined);
          if (generation.decide() === 'done') {
            ending.set(entry, undefined);
            continue;
          }
        }
        if (generation.slideIfNeeded() || generation.pending.length > this.prefillThreshold) moving.push(entry);
      } catch (error) {
        ending.set(entry, error);
      }
    }
    if (moving.length || ending.size) await this.leave([...moving, ...ending.keys()], moving);
    this.solo.push(...moving);
    for (const [entry, error] of ending) this.settle(entry, error);
  }

  private failAll(error: unknown): void {
    const everyone = [...this.queue, ...this.solo, ...this.batch];
    this.queue.length = 0;
    this.solo.length = 0;
    this.batch = [];
    this.model.forget(this.batchCache, this.batchCrossStacked ? this.batchCross : undefined);
    this.batchCache = undefined;
    this.batchCross = undefined;
    this.batchCrossStacked = false;
    for (const entry of everyone) this.settle(entry, error);
  }

  /** Resolves (or rejects with `error`) a request that has left every list. */
  private settle(entry: Entry, error?: unknown): void {
    entry.detach();
    this.model.forget(entry.generation.cache, entry.generation.cross);
    entry.generation.cache = undefined;
    entry.generation.cross = undefined;
    entry.times.decodeMs = performance.now() - entry.started - entry.times.encodeMs;
    if (error !== undefined) entry.reject(error);
    else entry.resolve(entry.times);
  }
}
