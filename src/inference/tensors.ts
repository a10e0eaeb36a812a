/**
 * The tensors that travel between the encoder, the decoder and the scheduler, and the copies needed when requests
 * join or leave a batch.
 *
 * A self-attention cache is [L, B, H, P, Dh]. In a batch every row's tokens sit at the right end of the P columns
 * (left padding), so all rows append their next token at the same column and a step needs no copy: the decoder's
 * present_k/present_v are fed back as past_k/past_v as they are. Rows are only rearranged when the batch changes.
 * Cross-attention keys and values are [L, B, H, T, Dh] with each row's caption at the left (right padding) and a
 * text mask [B, T] saying which columns are real.
 */
import * as ort from 'onnxruntime-node';
import type { ModelDims } from './manifest.ts';

export interface KvCache {
  k: ort.Tensor;
  v: ort.Tensor;
  rows: number;
  /** Columns (P); a row's real tokens are its last `length` columns. */
  columns: number;
}

export interface CrossState {
  k: ort.Tensor;
  v: ort.Tensor;
  /** int64 [B, T], 1 where a caption token is. */
  mask: ort.Tensor;
  rows: number;
  /** T. */
  columns: number;
  /** Real caption length of each row. */
  lengths: number[];
}

export function int64Tensor(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

export function emptyCache(dims: ModelDims, rows: number): KvCache {
  const shape = [dims.layers, rows, dims.heads, 0, dims.headDim];
  return { k: new ort.Tensor('float32', new Float32Array(0), shape), v: new ort.Tensor('float32', new Float32Array(0), shape), rows, columns: 0 };
}

/** Some rows of a cache: rows [row, row + count) holding `length` real tokens each. */
export interface CacheRows {
  cache: KvCache;
  row: number;
  count: number;
  length: number;
}

/**
 * A cache holding the given rows, stacked in order, right-aligned to the longest. When a single part is a whole
 * cache with no padding, that cache is returned without copying.
 */
export function stackCacheRows(parts: readonly CacheRows[], dims: ModelDims): KvCache {
  if (parts.length === 1) {
    const [only] = parts;
    if (only.row === 0 && only.count === only.cache.rows && only.length === only.cache.columns) return only.cache;
  }
  const rows = parts.reduce((sum, part) => sum + part.count, 0);
  const columns = Math.max(0, ...parts.map((part) => part.length));
  const { layers, heads, headDim } = dims;
  const k = new Float32Array(layers * rows * heads * columns * headDim);
  const v = new Float32Array(k.length);
  let target = 0;
  for (const part of parts) {
    const srcK = part.cache.k.data as Float32Array;
    const srcV = part.cache.v.data as Float32Array;
    const srcRows = part.cache.rows;
    const srcColumns = part.cache.columns;
    const span = part.length * headDim;
    for (let layer = 0; layer < layers; layer++) {
      for (let r = 0; r < part.count; r++) {
        for (let head = 0; head < heads; head++) {
          const from = (((layer * srcRows + part.row + r) * heads + head) * srcColumns + srcColumns - part.length) * headDim;
          const to = (((layer * rows + target + r) * heads + head) * columns + columns - part.length) * headDim;
          k.set(srcK.subarray(from, from + span), to);
          v.set(srcV.subarray(from, from + span), to);
        }
      }
    }
    target += part.count;
  }
  const shape = [layers, rows, heads, columns, headDim];
  return { k: new ort.Tensor('float32', k, shape), v: new ort.Tensor('float32', v, shape), rows, columns };
}

/** Cross states of several requests as one batch, each caption padded on the right to the longest. */
export function stackCross(parts: readonly CrossState[], dims: ModelDims): CrossState {
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
    const srcK = part.k.data as Float32Array;
    const srcV = part.v.data as Float32Array;
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
  const shape = [layers, rows, heads, columns, headDim];
  return {
    k: new ort.Tensor('float32', k, shape),
    v: new ort.Tensor('float32', v, shape),
    mask: new ort.Tensor('int64', mask, [rows, columns]),
    rows,
    columns,
    lengths,
  };
}
