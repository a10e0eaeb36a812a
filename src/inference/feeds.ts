/**
 * Graph inputs and outputs as plain typed arrays with their shapes, so that they can cross into a worker thread
 * (decoder-worker.ts) as well as be handed to onnxruntime in this one (sessions.ts).
 */
export interface Feed {
  type: 'float32' | 'int64';
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export type Feeds = Record<string, Feed>;

export function floatFeed(data: Float32Array, dims: readonly number[]): Feed {
  return { type: 'float32', data, dims };
}

export function int64Feed(data: BigInt64Array, dims: readonly number[]): Feed {
  return { type: 'int64', data, dims };
}

/** int64 values from numbers. */
export function int64Values(values: ArrayLike<number>): BigInt64Array {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return data;
}
