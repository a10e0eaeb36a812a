/** The messages between worker-runner.ts (the engine's thread) and graph-worker.ts (the thread that runs the graphs). */
import type { Transferable } from 'node:worker_threads';
import type { Feeds } from './feeds.ts';
import type { Device, Graph, SessionOptions } from './sessions.ts';

/** Arrays a call lends to the worker instead of copying them (a cache, a cross state); they come back with the answer. */
export type Lent = Array<{ k: Float32Array; v: Float32Array }>;

export interface WorkerStart {
  encoderPath: string;
  decoderPath: string;
  options: Omit<SessionOptions, 'log'>;
}

export interface CallRequest {
  call: number;
  graph: Graph;
  feeds: Feeds;
  lent: Lent;
}

export type WorkerReply =
  | { kind: 'ready'; device: Device; decoderInputs: string[] }
  | { kind: 'start-failed'; message: string }
  | { kind: 'log'; line: string }
  | { kind: 'done'; call: number; outputs: Feeds; lent: Lent }
  | { kind: 'error'; call: number; message: string; lent: Lent };

/** Every buffer under these arrays, once each: what a message moves instead of copying. */
export function buffersOf(arrays: Iterable<ArrayBufferView>): Transferable[] {
  return [...new Set([...arrays].map((array) => array.buffer as ArrayBuffer))];
}

/** The arrays of lent owners. */
export function lentArrays(lent: Lent): Float32Array[] {
  return lent.flatMap((owner) => [owner.k, owner.v]);
}
