/**
 * The model host (model-host.ts) in a worker thread. onnxruntime-node runs a session synchronously on the thread that
 * calls it (its promise only defers the start), so in the engine's thread every model call would hold up everything
 * else there, the bot's event loop included, for as long as the call takes. Here the engine's thread sends token ids
 * and handles and gets logits back; the caches stay in the worker.
 */
import { Worker } from 'node:worker_threads';
import type { ModelDims } from './manifest.ts';
import type { HostDecodeInput, HostDecodeOutput, ModelHostApi } from './model-host.ts';
import type { Device, SessionOptions } from './sessions.ts';
import type { CacheRows, CrossState, KvCache } from './tensors.ts';
import type { HostMethod, HostRequest, WorkerReply, WorkerStart } from './worker-protocol.ts';

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** Starts the worker and waits until its sessions are open. */
export function startWorkerHost(encoderPath: string, decoderPath: string, dims: ModelDims, options: SessionOptions): Promise<WorkerHost> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const workerData: WorkerStart & { dims: ModelDims } = { encoderPath, decoderPath, dims, options: { device: options.device, threads: options.threads } };
  const worker = new Worker(new URL('./graph-worker-entry.js', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the inference thread exited (${code}) while opening the model`));
    const onMessage = (reply: WorkerReply) => {
      if (reply.kind === 'log') return log(reply.line);
      worker.off('message', onMessage);
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (reply.kind === 'ready') {
        resolve(new WorkerHost(worker, reply.device, reply.layout, log));
      } else {
        void worker.terminate();
        reject(new Error(reply.kind === 'start-failed' ? reply.message : 'the inference thread answered before it was ready'));
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
}

export class WorkerHost implements ModelHostApi {
  private readonly pending = new Map<number, Pending>();
  private nextCall = 0;
  /** Set once the thread has stopped: every later call fails with it. */
  private stopped: Error | undefined;

  constructor(private readonly worker: Worker, readonly device: Device, readonly layout: ModelHostApi['layout'], private readonly log: (line: string) => void) {
    worker.on('message', (reply: WorkerReply) => this.answer(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the inference thread exited (${code})`)));
    // An idle thread does not keep the process alive; a call in flight does.
    worker.unref();
  }

  encode(captions: number[][]): Promise<CrossState> {
    return this.call('encode', captions) as Promise<CrossState>;
  }

  decode(input: HostDecodeInput): Promise<HostDecodeOutput> {
    return this.call('decode', input) as Promise<HostDecodeOutput>;
  }

  stackCache(parts: CacheRows<KvCache>[]): Promise<KvCache> {
    return this.call('stackCache', parts) as Promise<KvCache>;
  }

  stackCross(parts: CrossState[]): Promise<CrossState> {
    return this.call('stackCross', parts) as Promise<CrossState>;
  }

  release(ids: number[]): void {
    if (!this.stopped && ids.length) this.worker.postMessage({ kind: 'release', ids } satisfies HostRequest);
  }

  async close(): Promise<void> {
    this.stop(new Error('the model has been released'));
    await this.worker.terminate();
  }

  private call(method: HostMethod, argument: unknown): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const call = this.nextCall++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ kind: 'call', call, method, argument } as HostRequest);
    });
  }

  private answer(reply: WorkerReply): void {
    if (reply.kind === 'log') return this.log(reply.line);
    if (reply.kind !== 'done' && reply.kind !== 'error') return;
    const pending = this.pending.get(reply.call);
    if (!pending) return;
    this.pending.delete(reply.call);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.kind === 'done') pending.resolve(reply.result);
    else pending.reject(new Error(reply.message));
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
