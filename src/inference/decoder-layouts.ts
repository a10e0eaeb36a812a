/**
 * How a decoder graph takes its key/value cache (training/export.py, training/slot_decoder.py):
 * - "slots": the cache is ours, allocated with room to spare; each layer's keys and values go in as views of it, read
 *   in place, and the graph returns only the new tokens' keys and values, which are written at the next free column
 *   here. A step moves the new column, not the cache.
 * - "growing" (models exported before it): the whole cache goes in and comes back grown by the new tokens, copied
 *   out of onnxruntime at every call.
 * Both take the same DecodeInput and give the same DecodeOutput, so the scheduler does not know which it runs.
 */
import { floatFeed, int64Feed, type Feeds } from './feeds.ts';
import type { ModelDims } from './manifest.ts';
import { stackCacheRows, type CacheData, type CapacityRule, type CrossData } from './tensors.ts';

/** A decoder call on arrays (model-host.ts holds them). */
export interface DecodeInput {
  /** [rows * newTokens], row-major. */
  inputIds: BigInt64Array;
  positionIds: BigInt64Array;
  /** [rows * newTokens]: where each new token stands in its bar (bar-position.ts); read by a metrical model only. */
  barPositionIds: BigInt64Array;
  /** Tokens each row has in the cache: the last `pastLengths[r]` of its used columns. Every row attends its new tokens. */
  pastLengths: ArrayLike<number>;
  rows: number;
  newTokens: number;
  cache: CacheData;
  cross: CrossData;
}

export interface DecodeOutput {
  /** [rows, vocab]: the logits after each row's last new token. */
  logits: Float32Array;
  /** The cache with the new tokens at the end of its used columns (the input's own object when it had room). */
  cache: CacheData;
}

export interface DecoderLayout {
  readonly name: 'slots' | 'growing';
  /** Columns to allocate when a batch's cache is rebuilt around `columns` used ones. */
  readonly capacity: CapacityRule;
  /** The decoder's feeds, and the cache the call writes to (a larger copy when the input's had no room). */
  feeds(input: DecodeInput): { feeds: Feeds; cache: CacheData };
  /** What the call gives back, once its outputs are in. */
  result(input: DecodeInput, cache: CacheData, out: Feeds): DecodeOutput;
}

/** The layout of a decoder graph, told by its input names. */
export function decoderLayout(inputNames: readonly string[], dims: ModelDims): DecoderLayout {
  return inputNames.includes('past_k_0') ? new SlotLayout(dims) : new GrowingLayout(dims);
}

function tokenFeeds(input: DecodeInput, dims: ModelDims): Feeds {
  const shape = [input.rows, input.newTokens];
  return {
    input_ids: int64Feed(input.inputIds, shape),
    position_ids: int64Feed(input.positionIds, shape),
    text_mask: int64Feed(input.cross.mask, [input.cross.rows, input.cross.columns]),
    ...(dims.metrical ? { bar_position_ids: int64Feed(input.barPositionIds, shape) } : {}),
  };
}

/**
 * 1 where row r attends: its last pastLengths[r] of `used` past columns (of `past` allocated), then every new one.
 * Written into `scratch` when it is large enough (onnxruntime reads the feeds during the call and keeps nothing).
 */
function attentionMask(input: DecodeInput, used: number, past: number, scratch?: BigInt64Array): BigInt64Array {
  const width = past + input.newTokens;
  const size = input.rows * width;
  const mask = scratch && scratch.length >= size ? scratch.subarray(0, size).fill(0n) : new BigInt64Array(size);
  for (let r = 0; r < input.rows; r++) {
    mask.fill(1n, r * width + used - input.pastLengths[r], r * width + used);
    mask.fill(1n, r * width + past, (r + 1) * width);
  }
  return mask;
}

/** Room for `columns` and then some: powers of two from 64, so a request's cache is regrown a handful of times. */
export function slotCapacity(columns: number): number {
  return Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(1, columns))));
}

class SlotLayout implements DecoderLayout {
  readonly name = 'slots';
  /** Room for the next token at least. */
  readonly capacity: CapacityRule = (columns) => slotCapacity(columns + 1);
  /** The attention mask of every call, so that a step allocates none. */
  private maskScratch = new BigInt64Array(0);

  constructor(private readonly dims: ModelDims) {}

  feeds(input: DecodeInput): { feeds: Feeds; cache: CacheData } {
    const { layers, heads, headDim } = this.dims;
    const { rows, cross } = input;
    let cache = input.cache;
    const needed = cache.columns + input.newTokens;
    if (cache.capacity < needed) cache = stackCacheRows([{ cache, row: 0, count: rows, length: cache.columns }], this.dims, () => slotCapacity(needed));
    const capacity = cache.capacity;
    const feeds = tokenFeeds(input, this.dims);
    if (this.maskScratch.length < rows * (capacity + input.newTokens)) this.maskScratch = new BigInt64Array(rows * (capacity + input.newTokens));
    feeds.attention_mask = int64Feed(attentionMask(input, cache.columns, capacity, this.maskScratch), [rows, capacity + input.newTokens]);
    const layer = rows * heads * capacity * headDim;
    const crossLayer = cross.rows * heads * cross.columns * headDim;
    for (let l = 0; l < layers; l++) {
      feeds[`past_k_${l}`] = floatFeed(cache.k.subarray(l * layer, (l + 1) * layer), [rows, heads, capacity, headDim]);
      feeds[`past_v_${l}`] = floatFeed(cache.v.subarray(l * layer, (l + 1) * layer), [rows, heads, capacity, headDim]);
      feeds[`cross_k_${l}`] = floatFeed(cross.k.subarray(l * crossLayer, (l + 1) * crossLayer), [cross.rows, heads, cross.columns, headDim]);
      feeds[`cross_v_${l}`] = floatFeed(cross.v.subarray(l * crossLayer, (l + 1) * crossLayer), [cross.rows, heads, cross.columns, headDim]);
    }
    return { feeds, cache };
  }

  result(input: DecodeInput, cache: CacheData, out: Feeds): DecodeOutput {
    const { layers, heads, headDim } = this.dims;
    const span = input.newTokens * headDim;
    const blocks = input.rows * heads;
    const { k, v, capacity, columns } = cache;
    for (let l = 0; l < layers; l++) {
      const newK = out[`new_k_${l}`].data as Float32Array;
      const newV = out[`new_v_${l}`].data as Float32Array;
      // Plain loops: a step's spans are a few dozen numbers, for which making subarrays to `set` costs more than copying.
      for (let block = 0; block < blocks; block++) {
        const to = ((l * blocks + block) * capacity + columns) * headDim;
        const from = block * span;
        for (let i = 0; i < span; i++) {
          k[to + i] = newK[from + i];
          v[to + i] = newV[from + i];
        }
      }
    }
    cache.columns += input.newTokens;
    return { logits: out.logits.data as Float32Array, cache };
  }
}

class GrowingLayout implements DecoderLayout {
  readonly name = 'growing';
  /** The graph attends every column it is given, so a cache has no spare ones. */
  readonly capacity: CapacityRule = (columns) => columns;

  constructor(private readonly dims: ModelDims) {}

  feeds(input: DecodeInput): { feeds: Feeds; cache: CacheData } {
    const { layers, heads, headDim } = this.dims;
    const { rows, cross, cache } = input;
    if (cache.capacity !== cache.columns) throw new Error('a growing-cache decoder takes caches without spare columns');
    const feeds = tokenFeeds(input, this.dims);
    feeds.attention_mask = int64Feed(attentionMask(input, cache.columns, cache.columns), [rows, cache.columns + input.newTokens]);
    const shape = [layers, rows, heads, cache.columns, headDim];
    const crossShape = [layers, cross.rows, heads, cross.columns, headDim];
    Object.assign(feeds, {
      past_k: floatFeed(cache.k, shape), past_v: floatFeed(cache.v, shape),
      cross_k: floatFeed(cross.k, crossShape), cross_v: floatFeed(cross.v, crossShape),
    });
    return { feeds, cache };
  }

  result(input: DecodeInput, cache: CacheData, out: Feeds): DecodeOutput {
    const { rows, newTokens } = input;
    const columns = cache.columns + newTokens;
    const all = out.logits.data as Float32Array;
    let logits = all;
    if (newTokens > 1) {
      const vocab = this.dims.vocab;
      logits = new Float32Array(rows * vocab);
      for (let r = 0; r < rows; r++) logits.set(all.subarray(((r + 1) * newTokens - 1) * vocab, (r + 1) * newTokens * vocab), r * vocab);
    }
    return {
      logits,
      cache: { k: out.present_k.data as Float32Array, v: out.present_v.data as Float32Array, rows, columns, capacity: columns },
    };
  }
}
