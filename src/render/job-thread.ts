/**
 * A worker thread that takes jobs and answers each with a result or an error. The render pools are made of these:
 * synthesis (synth-pool.ts) and Opus encoding (opus-pool.ts).
 *
 * The worker side calls `serveJobs` once it is ready (a font loaded, say), or `reportStartFailure` when it cannot be;
 * the main side starts it with `JobThread.start` and sends jobs with `run`. Idle threads do not keep the process alive.
 */
import { parentPort, Worker, type Transferable } from 'node:worker_threads';

type Reply<R> =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string; errorName: string }
  | { kind: 'done'; job: number; result: R }
  | { kind: 'error'; job: number; message: string };

interface Request<J> {
  job: number;
  input: J;
}

type Pending<R> = { resolve: (result: R) => void; reject: (error: Error) => void };

/** Workers still getting ready (decoding a SoundFont takes seconds): stopping must not wait for them. */
const starting = new Set<Worker>();

/** Stops the threads that are still getting ready; whoever waits for them gets an error. */
export async function stopStartingThreads(): Promise<void> {
  await Promise.all([...starting].map((worker) => worker.terminate()));
}

export class JobThread<J, R> {
  private readonly pending = new Map<number, Pending<R>>();
  private nextJob = 0;
  /** Set once the thread has stopped (crashed, or closed): it takes no more jobs. */
  exited = false;

  private constructor(
    private readonly worker: Worker,
    private readonly what: string,
  ) {
    worker.on('message', (reply: Reply<R>) => {
      if (reply.kind !== 'done' && reply.kind !== 'error') return;
      const pending = this.pending.get(reply.job);
      this.pending.delete(reply.job);
      if (this.pending.size === 0) worker.unref();
      if (reply.kind === 'done') pending?.resolve(reply.result);
      else pending?.reject(new Error(`${what} failed: ${reply.message}`));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`${what} thread exited (${code})`));
    });
  }

  /**
   * Starts `entry` and waits until it serves jobs. A start failure the worker reports is rethrown through
   * `startError` (given the worker's error name and message), so a pool can keep its own error types.
   */
  static start<J, R>(entry: URL, workerData: unknown, what: string, startError = (_name: string, message: string) => new Error(message)): Promise<JobThread<J, R>> {
    const worker = new Worker(entry, { workerData });
    starting.add(worker);
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => {
        starting.delete(worker);
        reject(new Error(`${what} thread exited (${code}) while starting`));
      };
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: Reply<R>) => {
        starting.delete(worker);
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.kind === 'ready') {
          const thread = new JobThread<J, R>(worker, what);
          // Only after the thread's own listeners: adding the first 'message' listener to a Worker refs its port
          // again, and a thread that never got a job would then keep the process alive after its work is done.
          worker.unref();
          resolve(thread);
        } else {
          void worker.terminate();
          reject(reply.kind === 'failed' ? startError(reply.errorName, reply.message) : new Error(`${what} thread: unexpected reply while starting`));
        }
      });
    });
  }

  /** Runs one job; `transfer` lists buffers of `input` to move to the thread instead of copying. */
  run(input: J, transfer: Transferable[] = []): Promise<R> {
    if (this.exited) return Promise.reject(new Error(`${this.what} thread has stopped`));
    const job = this.nextJob++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      this.worker.postMessage({ job, input } satisfies Request<J>, transfer);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** Worker side: answers every job with `handle`'s result, moving the buffers it lists instead of copying them. */
export function serveJobs<J, R>(handle: (input: J) => Promise<{ result: R; transfer?: Transferable[] }> | { result: R; transfer?: Transferable[] }): void {
  const port = parentPort!;
  port.on('message', async ({ job, input }: Request<J>) => {
    try {
      const { result, transfer } = await handle(input);
      port.postMessage({ kind: 'done', job, result } satisfies Reply<R>, transfer ?? []);
    } catch (error) {
      port.postMessage({ kind: 'error', job, message: (error as Error).message } satisfies Reply<R>);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies Reply<R>);
}

/** Worker side: the thread could not get ready; `JobThread.start` rejects with this. */
export function reportStartFailure(error: Error): void {
  parentPort!.postMessage({ kind: 'failed', message: error.message, errorName: error.name } satisfies Reply<never>);
}
