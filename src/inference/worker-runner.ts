/**
 * The graphs in a worker thread (graph-worker.ts). onnxruntime-node runs a session synchronously on the thread that
 * calls it (its promise only defers the start), so in the engine's thread every model call would hold up everything
 * else there, the bot's event loop included, for as long as the call takes. Here the engine's thread only builds the
 * feeds and reads the answers. Caches and cross states are lent to the worker for a call instead of copied: their
 * memory moves there and back, and their owners get new arrays over it before the call resolves.
 */
import { Worker } from 'node:worker_threads';
import type { Feeds } from './feeds.ts';
import type { Device, Graph, GraphRunner, SessionOptions } from './sessions.ts';
import { buffersOf, lentArrays, type CallRequest, type Lent, type WorkerReply, type WorkerStart } from './worker-protocol.ts';

interface Pending {
  resolve: (outputs: Feeds) => void;
  reject: (error: Error) => void;
  lent: Lent;
}

/** Starts the worker and waits until its sessions are open. */
export function startWorkerRunner(encoderPath: string, decoderPath: string, options: SessionOptions): Promise<GraphRunner> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const workerData: WorkerStart = { encoderPath, decoderPath, options: { device: options.device, threads: options.threads } };
  const worker = new Worker(new URL('./graph-worker-entry.js', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the inference thread exited (${code}) while opening the model`));
    const onMessage = (reply: WorkerReply) => {
      if (reply.kind === 'log') return log(reply.line);
      worker.off('message', onMessage);
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (reply.kind === 'ready') {
        resolve(new WorkerRunner(worker, reply.device, reply.decoderInputs, log));
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

class WorkerRunner implements GraphRunner {
  private readonly pending = new Map<number, Pending>();
  private nextCall = 0;
  /** Set once the thread has stopped: every later call fails with it. */
  private stopped: Error | undefined;

  constructor(private readonly worker: Worker, readonly device: Device, readonly decoderInputs: readonly string[], private readonly log: (line: string) => void) {
    worker.on('message', (reply: WorkerReply) => this.answer(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the inference thread exited (${code})`)));
    // An idle thread does not keep the process alive; a call in flight does.
    worker.unref();
  }

  run(graph: Graph, feeds: Feeds, lent: Lent = []): Promise<Feeds> {
    if (this.stopped) return Promise.reject(this.stopped);
    const call = this.nextCall++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject, lent });
      this.worker.postMessage({ call, graph, feeds, lent } satisfies CallRequest, buffersOf(lentArrays(lent)));
    });
  }

  async release(): Promise<void> {
    this.stop(new Error('the model has been released'));
    await this.worker.terminate();
  }

  private answer(reply: WorkerReply): void {
    if (reply.kind === 'log') return this.log(reply.line);
    if (reply.kind !== 'done' && reply.kind !== 'error') return;
    const pending = this.pending.get(reply.call);
    if (!pending) return;
    this.pending.delete(reply.call);
    if (this.pending.size === 0) this.worker.unref();
    pending.lent.forEach((owner, i) => {
      owner.k = reply.lent[i].k;
      owner.v = reply.lent[i].v;
    });
    if (reply.kind === 'done') pending.resolve(reply.outputs);
    else pending.reject(new Error(reply.message));
  }

  private stop(error: Error): void {
    this.stopped ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
