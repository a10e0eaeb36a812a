/** The messages between worker-host.ts (the engine's thread) and graph-worker.ts (the thread that holds the model). */
import type { ModelHostApi } from './model-host.ts';
import type { Device, SessionOptions } from './sessions.ts';

export interface WorkerStart {
  encoderPath: string;
  decoderPath: string;
  options: Omit<SessionOptions, 'log'>;
}

/** The host's methods that answer; `release` is a message of its own, with no answer. */
export type HostMethod = 'encode' | 'decode' | 'stackCache' | 'stackCross';

export type HostRequest =
  | { kind: 'call'; call: number; method: HostMethod; argument: Parameters<ModelHostApi[HostMethod]>[0] }
  | { kind: 'release'; ids: number[] };

export type WorkerReply =
  | { kind: 'ready'; device: Device; layout: ModelHostApi['layout'] }
  | { kind: 'start-failed'; message: string }
  | { kind: 'log'; line: string }
  | { kind: 'done'; call: number; result: unknown }
  | { kind: 'error'; call: number; message: string };
