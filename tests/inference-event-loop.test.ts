/**
 * The engine's thread stays free while the model works. onnxruntime-node runs a session synchronously on the thread
 * that calls it, so the sessions run in a worker thread (src/inference/worker-host.ts). A timer asked to fire every
 * 5 ms is watched while the model is busy: with the sessions in this thread a long call holds it up for the call's
 * whole length; with the worker it keeps firing, also while two composes run through the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MotifEngine } from '../src/inference/index.ts';
import { OnnxMusicModel } from '../src/inference/onnx-model.ts';
import { emptyCache } from '../src/inference/tensors.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

/** Runs `work` while a timer asks to fire every 5 ms: how long the work took and the longest wait between ticks. */
async function watchTimer<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; longestGapMs: number }> {
  let last = performance.now();
  let longest = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(tick, 5);
  const start = performance.now();
  try {
    const result = await work();
    tick();
    return { result, ms: performance.now() - start, longestGapMs: longest };
  } finally {
    clearInterval(timer);
  }
}

/** One decoder call reading `tokens` tokens on each of `rows` rows: a long prefill, such as a long forced prefix. */
async function longCall(model: OnnxMusicModel, rows: number, tokens: number): Promise<void> {
  const cross = await model.encodeText(Array.from({ length: rows }, () => model.textIds('a long piano piece')));
  const count = rows * tokens;
  const out = await model.decode({
    inputIds: BigInt64Array.from({ length: count }, (_, i) => BigInt(5 + (i % 40))),
    positionIds: BigInt64Array.from({ length: count }, (_, i) => BigInt(i % tokens)),
    barPositionIds: new BigInt64Array(count),
    pastLengths: new Array<number>(rows).fill(0),
    rows, newTokens: tokens, cache: emptyCache(rows), cross,
  });
  model.forget(out.cache, cross);
}

describe.skipIf(withoutModel())('the engine thread while the model works', () => {
  let worker: OnnxMusicModel;
  let main: OnnxMusicModel;

  beforeAll(async () => {
    worker = await OnnxMusicModel.load(MODEL_DIR!, { device: 'cpu', threads: 1 });
    main = await OnnxMusicModel.load(MODEL_DIR!, { device: 'cpu', threads: 1, thread: 'main' });
  });

  afterAll(async () => {
    await Promise.all([worker?.release(), main?.release()]);
  });

  it('is held up by a long model call only when the sessions run in it', async () => {
    const tokens = Math.min(1000, worker.dims.maxMusicLen);
    // Rows enough for a call of most of a second on this machine, so that the two cases cannot be confused.
    let rows = 2;
    while (rows < 256 && (await watchTimer(() => longCall(worker, rows, tokens))).ms < 800) rows *= 2;
    const inWorker = await watchTimer(() => longCall(worker, rows, tokens));
    const inThread = await watchTimer(() => longCall(main, rows, tokens));
    expect(inThread.longestGapMs).toBeGreaterThan(inThread.ms / 2);
    expect(inWorker.longestGapMs).toBeLessThan(inWorker.ms / 4);
  });

  it('keeps firing while two composes run', async () => {
    const engine = await MotifEngine.load({ modelDir: MODEL_DIR!, threads: 1, requestTimeoutMs: 120_000 });
    try {
      await engine.compose({ prompt: 'piano', seed: 3, bars: 1 }); // the first request pays for compiling its code
      const watched = await watchTimer(() => Promise.all([
        engine.compose({ prompt: 'a jazz trio with piano, upright bass and drums', seed: 1, bars: 8 }),
        engine.compose({ prompt: 'an upbeat pop song with piano and drums', seed: 2, bars: 8 }),
      ]));
      expect(watched.result.map((piece) => piece.finish)).toEqual(['eos', 'eos']);
      // Each step leaves this thread only the sampling; a stall here would be a blocking call.
      expect(watched.longestGapMs).toBeLessThan(250);
    } finally {
      await engine.close();
    }
  });
});
