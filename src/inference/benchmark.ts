/**
 * Decoding speed, for `motif bench`: raw decoder throughput with the KV cache at several batch sizes, the cache
 * against recomputing the whole prefix at every token, and whole requests through the engine (alone and several at
 * once). Every baseline is measured in the same run; nothing here is asserted by tests.
 */
import { performance } from 'node:perf_hooks';
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

export interface StepRate {
  batch: number;
  /** Tokens in the cache when the timed steps start. */
  context: number;
  steps: number;
  msPerStep: number;
  tokensPerSecond: number;
}

export interface DecodeRates {
  /** Each batch size from an empty cache. */
  cached: StepRate[];
  /** Batch 1 from `longContext` tokens on (1,000, or less where the model's context is shorter). */
  longContext: StepRate;
}

export interface DecodeBenchmark extends DecodeRates {
  modelId: string;
  device: string;
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

/**
 * `steps` decoder calls with the cache, one token per row per call, after `context` tokens read in one call (not
 * timed): their milliseconds, and how many of them this thread was busy (not waiting in its event loop).
 */
export async function timedSteps(model: OnnxMusicModel, batch: number, steps: number, context = 0): Promise<{ ms: number; busyMs: number }> {
  const cross = await model.encodeText(Array.from({ length: batch }, () => model.textIds(CAPTION)));
  let cache: KvCache = emptyCache(batch);
  if (context > 0) {
    const count = batch * context;
    cache = (await model.decode({
      inputIds: BigInt64Array.from({ length: count }, (_, i) => BigInt(i % context === 0 ? BOS : filler(i % context))),
      positionIds: BigInt64Array.from({ length: count }, (_, i) => BigInt(i % context)),
      barPositionIds: new BigInt64Array(count),
      pastLengths: new Array<number>(batch).fill(0),
      rows: batch, newTokens: context, cache, cross,
    })).cache;
  }
  const pastLengths = new Array<number>(batch);
  const loop = performance.eventLoopUtilization();
  const start = performance.now();
  for (let i = context; i < context + steps; i++) {
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
  const ms = performance.now() - start;
  const busyMs = performance.eventLoopUtilization(loop).active;
  model.forget(cache, cross);
  return { ms, busyMs };
}

/** Milliseconds for timedSteps' calls. */
export async function cachedSteps(model: OnnxMusicModel, batch: number, steps: number, context = 0): Promise<number> {
  return (await timedSteps(model, batch, steps, context)).ms;
}

const rate = (batch: number, context: number, steps: number, ms: number): StepRate => ({ batch, context, steps, msPerStep: ms / steps, tokensPerSecond: (batch * steps * 1000) / ms });

/** Cached decode speed at each batch size from an empty cache, and at batch 1 with a long context. */
export async function decodeRates(model: OnnxMusicModel, steps: number, batches: readonly number[]): Promise<DecodeRates> {
  await cachedSteps(model, 1, 8); // warm-up: first runs allocate
  const cached = [];
  for (const batch of batches) cached.push(rate(batch, 0, steps, await cachedSteps(model, batch, steps)));
  const longSteps = Math.min(steps, 16);
  const context = Math.min(1000, model.dims.maxMusicLen - longSteps);
  return { cached, longContext: rate(1, context, longSteps, await cachedSteps(model, 1, longSteps, context)) };
}

async function recomputeSteps(model: OnnxMusicModel, tokens: number): Promise<number> {
  const cross = await model.encodeText([model.textIds(CAPTION)]);
  const ids = Array.from({ length: tokens }, (_, i) => (i === 0 ? BOS : filler(i)));
  const start = performance.now();
  for (let n = 1; n <= tokens; n++) {
    const out = await model.decode({
      inputIds: BigInt64Array.from(ids.slice(0, n), BigInt),
      positionIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)),
      barPositionIds: new BigInt64Array(n),
      pastLengths: [0],
      rows: 1, newTokens: n, cache: emptyCache(1), cross,
    });
    model.forget(out.cache);
  }
  model.forget(cross);
  return performance.now() - start;
}

export async function benchmarkDecode(engine: MotifEngine, options: Partial<BenchmarkOptions> = {}): Promise<DecodeBenchmark> {
  const o = { ...DEFAULTS, ...options };
  const model = engine.model;
  const rates = await decodeRates(model, o.steps, o.batches);
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
    ...rates,
    cacheVsRecompute: { tokens, cachedMs, recomputeMs, speedup: recomputeMs / cachedMs },
    engine: {
      single,
      unbatched,
      batchingOverheadPercent: ((single.ms - unbatched.ms) / unbatched.ms) * 100,
      concurrent: { requests: o.concurrent, tokens: manyTokens, ms: manyMs, tokensPerSecond: (manyTokens * 1000) / manyMs },
    },
  };
}
