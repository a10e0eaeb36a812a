/**
 * What running the sessions in a worker thread costs and buys (src/inference/worker-host.ts): the same cached decoder
 * steps through the worker and through sessions in this thread, alternated, with the time this thread was busy
 * (its event loop's active time), which is what other work on it (the bot's interactions) waits for.
 */
import { cachedSteps, timedSteps } from '../inference/benchmark.ts';
import { OnnxMusicModel } from '../inference/onnx-model.ts';
import type { Device } from '../inference/sessions.ts';

export interface ThreadSide {
  msPerStep: number;
  /** Milliseconds per step this thread was busy (not waiting in its event loop). */
  busyMsPerStep: number;
}

export interface ThreadBench {
  batch: number;
  context: number;
  steps: number;
  worker: ThreadSide;
  inThread: ThreadSide;
}

async function timeSide(model: OnnxMusicModel, batch: number, steps: number, context: number): Promise<ThreadSide> {
  const { ms, busyMs } = await timedSteps(model, batch, steps, context);
  return { msPerStep: ms / steps, busyMsPerStep: busyMs / steps };
}

/** Guided decoding (2 rows) from `context` tokens: the worker-backed `model` against the same export in this thread. */
export async function benchThreads(model: OnnxMusicModel, dir: string, options: { device: Device; threads: number; steps: number; context?: number; rounds?: number }): Promise<ThreadBench> {
  const { steps, rounds = 3 } = options;
  const batch = 2;
  const context = Math.min(options.context ?? 500, model.dims.maxMusicLen - steps);
  const inThread = await OnnxMusicModel.load(dir, { device: options.device, threads: options.threads, thread: 'main' });
  try {
    await cachedSteps(inThread, 1, 8); // warm-up
    const sides: { worker: ThreadSide[]; inThread: ThreadSide[] } = { worker: [], inThread: [] };
    for (let round = 0; round < rounds; round++) {
      sides.worker.push(await timeSide(model, batch, steps, context));
      sides.inThread.push(await timeSide(inThread, batch, steps, context));
    }
    const best = (list: ThreadSide[]) => list.reduce((a, b) => (b.msPerStep < a.msPerStep ? b : a));
    return { batch, context, steps, worker: best(sides.worker), inThread: best(sides.inThread) };
  } finally {
    await inThread.release();
  }
}
