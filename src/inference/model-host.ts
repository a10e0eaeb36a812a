/**
 * The model's side of the engine: the two sessions and the decoder state they read and write (caches and cross
 * states, kept here by id). It runs in a worker thread (graph-worker.ts) or in the engine's own thread; either way the
 * engine's thread holds only handles (tensors.ts), so no cache crosses between threads: moving one at every step
 * made V8 count it as new external memory each time and collect garbage at every step.
 */
import { decoderLayout, type DecoderLayout } from './decoder-layouts.ts';
import { int64Feed, int64Values } from './feeds.ts';
import type { ModelDims } from './manifest.ts';
import { runSession, type ModelSessions } from './sessions.ts';
import {
  emptyCacheData, stackCacheRows, stackCross, type CacheData, type CacheRows, type CrossData, type CrossState, type KvCache,
} from './tensors.ts';

/** A decoder call as the engine's thread makes it: token arrays, and handles for the state. */
export interface HostDecodeInput {
  /** [rows * newTokens], row-major. */
  inputIds: BigInt64Array;
  positionIds: BigInt64Array;
  /** [rows * newTokens]: where each new token stands in its bar (bar-position.ts); read by a metrical model only. */
  barPositionIds: BigInt64Array;
  /** Tokens each row has in the cache: the last `pastLengths[r]` of its used columns. Every row attends its new tokens. */
  pastLengths: number[];
  rows: number;
  newTokens: number;
  cache: KvCache;
  cross: CrossState;
}

export interface HostDecodeOutput {
  /** [rows, vocab]: the logits after each row's last new token. */
  logits: Float32Array;
  /** The cache after the call: the same id when it had room, a new one when it moved (the old id is then gone). */
  cache: KvCache;
}

/** What the engine's thread asks of the host, wherever it runs. Every answer is plain data. */
export interface ModelHostApi {
  readonly layout: DecoderLayout['name'];
  encode(captions: number[][]): Promise<CrossState>;
  decode(input: HostDecodeInput): Promise<HostDecodeOutput>;
  /** The given rows stacked into one cache (tensors.ts stackCacheRows); a whole single part comes back as it is. */
  stackCache(parts: CacheRows<KvCache>[]): Promise<KvCache>;
  /** Cross states stacked into one batch; a single one comes back as it is. */
  stackCross(parts: CrossState[]): Promise<CrossState>;
  /** Forgets state the engine no longer holds; unknown ids are ignored. */
  release(ids: number[]): void;
  close(): Promise<void>;
}

export class ModelHost implements ModelHostApi {
  private readonly caches = new Map<number, CacheData>();
  private readonly crosses = new Map<number, CrossData>();
  /** Ids are never reused, so a late release cannot hit newer state. */
  private nextId = 1;
  private readonly decoder: DecoderLayout;

  constructor(private readonly sessions: ModelSessions, private readonly dims: ModelDims) {
    this.decoder = decoderLayout(sessions.decoder.inputNames, dims);
  }

  get layout(): DecoderLayout['name'] {
    return this.decoder.name;
  }

  async encode(captions: number[][]): Promise<CrossState> {
    const rows = captions.length;
    const columns = Math.max(...captions.map((ids) => ids.length));
    const ids = new Array<number>(rows * columns).fill(0);
    const mask = new BigInt64Array(rows * columns);
    captions.forEach((caption, r) => caption.forEach((id, c) => {
      ids[r * columns + c] = id;
      mask[r * columns + c] = 1n;
    }));
    const out = await runSession(this.sessions.encoder, { text_ids: int64Feed(int64Values(ids), [rows, columns]), text_mask: int64Feed(mask, [rows, columns]) });
    const cross: CrossData = { k: out.cross_k.data as Float32Array, v: out.cross_v.data as Float32Array, mask, rows, columns, lengths: captions.map((c) => c.length) };
    return this.keepCross(cross);
  }

  async decode(input: HostDecodeInput): Promise<HostDecodeOutput> {
    const data = this.cacheData(input.cache);
    const call = { ...input, cache: data, cross: this.crossData(input.cross) };
    const { feeds, cache } = this.decoder.feeds(call);
    const out = await runSession(this.sessions.decoder, feeds);
    const result = this.decoder.result(call, cache, out);
    return { logits: result.logits, cache: this.keepCache(input.cache, data, result.cache) };
  }

  async stackCache(parts: CacheRows<KvCache>[]): Promise<KvCache> {
    const data = parts.map((part) => ({ ...part, cache: this.cacheData(part.cache) }));
    const stacked = stackCacheRows(data, this.dims, this.decoder.capacity);
    const same = data.findIndex((part) => part.cache === stacked);
    return same >= 0 ? parts[same].cache : this.keepCache(undefined, undefined, stacked);
  }

  async stackCross(parts: CrossState[]): Promise<CrossState> {
    if (parts.length === 1) return parts[0];
    return this.keepCross(stackCross(parts.map((part) => this.crossData(part)), this.dims));
  }

  release(ids: number[]): void {
    for (const id of ids) {
      this.caches.delete(id);
      this.crosses.delete(id);
    }
  }

  async close(): Promise<void> {
    this.caches.clear();
    this.crosses.clear();
    await Promise.all([this.sessions.encoder.release(), this.sessions.decoder.release()]);
  }

  private cacheData(handle: KvCache): CacheData {
    if (handle.id === 0) return emptyCacheData(handle.rows);
    const data = this.caches.get(handle.id);
    if (!data) throw new Error(`cache ${handle.id} was released`);
    if (data.columns !== handle.columns || data.rows !== handle.rows) throw new Error(`cache ${handle.id} is not what its handle says`);
    return data;
  }

  private crossData(handle: CrossState): CrossData {
    const data = this.crosses.get(handle.id);
    if (!data) throw new Error(`cross state ${handle.id} was released`);
    return data;
  }

  /** The handle of `after`, the cache that `before` (with its data `was`) became: the same id when it is the same data. */
  private keepCache(before: KvCache | undefined, was: CacheData | undefined, after: CacheData): KvCache {
    let id = before?.id ?? 0;
    if (after !== was || id === 0) {
      if (id !== 0) this.caches.delete(id);
      id = this.nextId++;
      this.caches.set(id, after);
    }
    return { id, rows: after.rows, columns: after.columns, capacity: after.capacity };
  }

  private keepCross(data: CrossData): CrossState {
    const id = this.nextId++;
    this.crosses.set(id, data);
    return { id, rows: data.rows, columns: data.columns, lengths: data.lengths };
  }
}
