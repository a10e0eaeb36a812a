/**
 * Runs processPiece on every core with worker threads, keeping a bounded number of pieces in flight and handing
 * results back in submission order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PieceTask, ProcessOptions, ProcessResult } from './process.ts';

export class PiecePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, (result: ProcessResult) => void>();
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ seq: number; task: PieceTask }> = [];
  private nextSeq = 0;

  constructor(options: ProcessOptions, size = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => {
      const worker = new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: options });
      worker.on('message', ({ seq, result }: { seq: number; result: ProcessResult }) => {
        this.pending.get(seq)!(result);
        this.pending.delete(seq);
        this.dispatch(worker);
      });
      worker.on('error', (error) => {
        throw error;
      });
      return worker;
    });
    this.idle.push(...this.workers);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Queues a piece; the promise settles with its result. */
  submit(task: PieceTask): Promise<ProcessResult> {
    const seq = this.nextSeq++;
    const done = new Promise<ProcessResult>((resolve) => this.pending.set(seq, resolve));
    this.queue.push({ seq, task });
    const worker = this.idle.pop();
    if (worker) this.dispatch(worker);
    return done;
  }

  private dispatch(worker: Worker): void {
    const next = this.queue.shift();
    if (!next) {
      this.idle.push(worker);
      return;
    }
    worker.postMessage(next);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
