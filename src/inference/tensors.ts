/**
 * The decoder's state between calls: self-attention caches and cross-attention keys/values, and the copies needed
 * when requests join or leave a batch.
 *
 * The engine's thread holds handles (KvCache, CrossState: sizes and an id); the arrays (CacheData, CrossData) live
 * where the sessions run (model-host.ts), in a worker thread by default, so that they never cross between threads.
 *
 * A self-attention cache is [L, B, H, capacity, Dh], of which the first P columns are in use. In a batch every row's
 * tokens sit at the right end of those P columns (left padding), so all rows append their next token at the same
 * column and a step needs no copy of the rest: the decoder writes the new column (decoder-layouts.ts). Rows are only
 * rearranged when the batch changes. Cross-attention keys and values are [L, B, H, T, Dh] with each row's caption at
 * the left (right padding) and a text mask [B, T] saying which columns are real.
 */
import type { ModelDims } from './manifest.ts';

/** A cache as the engine's thread knows it. Its id changes when the cache is moved to a larger allocation. */
export interface KvCache {
  /** 0 for a cache that holds nothing yet. */
  id: number;
  rows: number;
  /** Columns in use (P); a row's real tokens are its last `length` of them. */
  columns: number;
  /** Columns allocated: room for the next tokens without a copy. */
  capacity: number;
}

/** Cross-attention keys/values as the engine's thread knows them. */
export interface CrossState {
  id: number;
  rows: number;
  /** T. */
  columns: number;
  /** Real caption length of each row. */
  lengths: number[];
}

export function emptyCache(rows: number): KvCache {
  return { id: 0, rows, columns: 0, capacity: 0 };
}

export interface CacheData {
  /** [L, rows, H, capacity, Dh]. */
  k: Float32Array;
  v: Float32Array;
  rows: number;
  columns: number;
  capacity: number;
}

export interface CrossData {
  /** [L, B, H, T, Dh]. */
  k: Float32Array;
  v: Float32Array;
  /** [B, T], 1 where a caption token is. */
  mask: BigInt64Array;
  rows: number;
  columns: number;
  lengths: number[];
}

export function emptyCacheData(rows: number): CacheData {
  return { k: new Float32Array(0), v: new Float32Array(0), rows, columns: 0, capacity: 0 };
}

/** A zeroed cache of `rows` rows and `capacity` columns, none in use. Unused columns must hold finite numbers. */
export function allocateCache(dims: ModelDims, rows: number, capacity: number): CacheData {
  const size = dims.layers * rows * dims.heads * capacity * dims.headDim;
  return { k: new Float32Array(size), v: new Float32Array(size), rows, columns: 0, capacity };
}

/** Some rows of a cache: rows [row, row + count) holding `length` real tokens each. */
export interface CacheRows<C = CacheData> {
  cache: C;
  row: number;
  count: number;
  length: number;
}

/** Columns to allocate for a cache that must hold `columns`: exactly that many unless a larger capacity is given. */
export type CapacityRule = (columns: number) => number;

/**
 * A cache holding the given rows, stacked in order, right-aligned to the longest, with `capacity(columns)` columns
 * allocated. When a single part is a whole cache with no padding and room enough, that cache is returned without
 * copying.
 */
export function stackCacheRows(parts: readonly CacheRows[], dims: ModelDims, capacity: CapacityRule = (columns) => columns): CacheData {
  const columns = Math.max(0, ...parts.map((part) => part.length));
  if (parts.length === 1) {
    const [only] = parts;
    if (only.row === 0 && only.count === only.cache.rows && only.length === only.cache.columns && only.cache.capacity >= capacity(columns)) return only.cache;
  }
  const rows = parts.reduce((sum, part) => sum + part.count, 0);
  const out = allocateCache(dims, rows, capacity(columns));
  out.columns = columns;
  let target = 0;
  for (const part of parts) {
    copyRows(part.cache, part.row, out, target, part.count, part.length, dims);
    target += part.count;
  }
  return out;
}

/**
 * Copies `count` rows from `from` (starting at row `fromRow`) to `to` (at row `toRow`): each row's last `length` used
 * columns, to the right end of the used columns of `to`.
 */
export function copyRows(from: CacheData, fromRow: number, to: CacheData, toRow: number, count: number, length: number, dims: ModelDims): void {
  const { layers, heads, headDim } = dims;
  const span = length * headDim;
  for (let layer = 0; layer < layers; layer++) {
    for (let r = 0; r < count; r++) {
      for (let head = 0; head < heads; head++) {
        const source = (((layer * from.rows + fromRow + r) * heads + head) * from.capacity + from.columns - length) * headDim;
        const target = (((layer * to.rows + toRow + r) * heads + head) * to.capacity + to.columns - length) * headDim;
        to.k.set(from.k.subarray(source, source + span), target);
        to.v.set(from.v.subarray(source, source + span), target);
      }
    }
  }
}

/** Cross states of several requests as one batch, each caption padded on the right to the longest. */
export function stackCross(parts: readonly CrossData[], dims: ModelDims): CrossData {
  if (parts.length === 1) return parts[0];
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const columns = Math.max(...parts.map((part) => part.columns));
  const { layers, heads, headDim } = dims;
  const k = new Float32Array(layers * rows * heads * columns * headDim);
  const v = new Float32Array(k.length);
  const mask = new BigInt64Array(rows * columns);
  const lengths: number[] = [];
  let target = 0;
  for (const part of parts) {
    const srcK = part.k;
    const srcV = part.v;
    const span = part.columns * headDim;
    for (let layer = 0; layer < layers; layer++) {
      for (let r = 0; r < part.rows; r++) {
        for (let head = 0; head < heads; head++) {
          const from = ((layer * part.rows + r) * heads + head) * span;
          const to = ((layer * rows + target + r) * heads + head) * columns * headDim;
          k.set(srcK.subarray(from, from + span), to);
          v.set(srcV.subarray(from, from + span), to);
        }
      }
    }
    for (let r = 0; r < part.rows; r++) {
      mask.fill(1n, (target + r) * columns, (target + r) * columns + part.lengths[r]);
      lengths.push(part.lengths[r]);
    }
    target += part.rows;
  }
  return { k, v, mask, rows, columns, lengths };
}
