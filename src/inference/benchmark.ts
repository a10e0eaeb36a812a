/**
 * Decoding speed, for `motif bench`: raw decoder throughput with the KV cache at several batch sizes, the cache
 * against recomputing the whole prefix at every token, and whole requests through the engine (alone and several at
 * once). Every baseline is measured in the same run; nothing here is asserted by tests.
 */
import { BAR, BOS, tokenId } from '../tokens/vocab.ts';
import type { MotifEngine } from './engine.ts';
import type { OnnxMusicModel } from './onnx-model.ts';
import { emptyCache, type KvCache } from './tensors.ts';

export interface BenchmarkOptions {
  /** Cached steps per batch size. */
  steps: number;
  batches: number[];
  /** Sequence length for cache vs recompute. */
  recomputeTokens: number;
  /** Concurrent requests through the engine. */
  concurrent: number;
  /** Bars of each engine request. */
  bars: number;
}

export interface DecodeBenchmark {
  modelId: string;
  device: string;
  cached: Array<{ batch: number; steps: number; msPerStep: number; tokensPerSecond: number }>;
  cacheVsRecompute: { tokens: number; cachedMs: number; recomputeMs: number; speedup: number };
  engine: {
    single: { tokens: number; ms: number; tokensPerSecond: number };
    /** The same request decoded outside any batch (every call its own): what batching must not slow down. */
    unbatched: { tokens: number; ms: number; tokensPerSecond: number };
    /** How much slower the single request is through the batch path than unbatched, in percent. */
    batchingOverheadPercent: number;
    concurrent: { requests: number; tokens: number; ms: number; tokensPerSecond: number };
  };
}

const DEFAULTS: BenchmarkOptions = { steps: 128, batches: [1, 4, 8], recomputeTokens: 256, concurrent: 4, bars: 8 };
const CAPTION = 'an upbeat jazz trio with piano, upright bass and drums';

/** Token ids to feed: any ids will do for timing; these cycle through ordinary body tokens. */
function filler(i: number): number {
  const cycle = [BAR, tokenId('position', 0), tokenId('instrument', 0), tokenId('pitch', 60), tokenId('velocity', 8), tokenId('duration', 7)];
  return cycle[i % cycle.length];
}

async function cachedSteps(model: OnnxMusicModel, batch: number, steps: number): Promise<number> {
  const cross = await model.encodeText(Array.from({ length: batch }, () => model.textIds(CAPTION)));
  let cache: KvCache = emptyCache(batch);
  const pastLengths = new Array<number>(batch);
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const token = BigInt(i === 0 ? BOS : filler(i));
    const out = await model.decode({
      inputIds: new BigInt64Array(batch).fill(token),
      positionIds: new BigInt64Array(batch).fill(BigInt(i)),
      barPositionIds: new BigInt64Array(batch), // any value times the same
      pastLengths: pastLengths.fill(i),
      rows: batch, newTokens: 1, cache, cross,
    });
    cache = out.cache;
  }
  return performance.now() - start;
}

async function recomputeSteps(model: OnnxMusicModel, tokens: number): Promise<number> {
  const cross = await model.encodeText([model.textIds(CAPTION)]);
  const ids = Array.from({ length: tokens }, (_, i) => (i === 0 ? BOS : filler(i)));
  const start = performance.now();
  for (let n = 1; n <= tokens; n++) {
    await model.decode({
      inputIds: BigInt64Array.from(ids.slice(0, n), BigInt),
      positionIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
      barPositionIds: new BigInt64Array(n),
      pastLengths: [0],
      rows: 1, newTokens: n, cache: emptyCache(1), cross,
    });
  }
  return performance.now() - start;
}

export async function benchmarkDecode(engine: MotifEngine, options: Partial<BenchmarkOptions> = {}): Promise<DecodeBenchmark> {
  const o = { ...DEFAULTS, ...options };
  const model = engine.model;
  await cachedSteps(model, 1, 8); // warm-up: first runs allocate
  const cached = [];
  for (const batch of o.batches) {
    const ms = await cachedSteps(model, batch, o.steps);
    cached.push({ batch, steps: o.steps, msPerStep: ms / o.steps, tokensPerSecond: (batch * o.steps * 1000) / ms });
  }
  const tokens = Math.min(o.recomputeTokens, model.dims.maxMusicLen);
  const cachedMs = await cachedSteps(model, 1, tokens);
  const recomputeMs = await recomputeSteps(model, tokens);

  const request = (i: number) => ({ prompt: CAPTION, seed: 1000 + i, bars: o.bars });
  const timed = async (which: MotifEngine) => {
    const begin = performance.now();
    const composition = await which.compose(request(0));
    const ms = performance.now() - begin;
    return { tokens: composition.timings.tokens, ms, tokensPerSecond: (composition.timings.tokens * 1000) / ms };
  };
  const unbatchedEngine = engine.withOptions({ maxBatch: 1, prefillThreshold: 0 });
  // Alternate the two paths and keep each one's best, so a busy moment on the machine does not decide the comparison.
  let single = await timed(engine);
  let unbatched = await timed(unbatchedEngine);
  for (let round = 0; round < 2; round++) {
    const a = await timed(engine);
    const b = await timed(unbatchedEngine);
    if (a.ms < single.ms) single = a;
    if (b.ms < unbatched.ms) unbatched = b;
  }
  let start = performance.now();
  start = performance.now();
  const many = await Promise.all(Array.from({ length: o.concurrent }, (_, i) => engine.compose(request(i))));
  const manyMs = performance.now() - start;
  const manyTokens = many.reduce((sum, c) => sum + c.timings.tokens, 0);
  return {
    modelId: model.id,
    device: model.device,
    cached,
    cacheVsRecompute: { tokens, cachedMs, recomputeMs, speedup: recomputeMs / cachedMs },
    engine: {
      single,
      unbatched,
      batchingOverheadPercent: ((single.ms - unbatched.ms) / unbatched.ms) * 100,
      concurrent: { requests: o.concurrent, tokens: manyTokens, ms: manyMs, tokensPerSecond: (manyTokens * 1000) / manyMs },
    },
  };
}
