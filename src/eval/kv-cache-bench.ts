/**
 * The KV cache against recomputing the whole prefix at every token, at a long sequence (1,000 tokens by default).
 * The cached side is measured step by step (the faster of two passes). Recomputing every prefix costs O(n^2) and would take minutes on a real
 * model, so its time is measured on every `stride`-th prefix length and each measurement stands for the `stride`
 * lengths around it (a Riemann sum: one decoder call's time grows smoothly with its length). `stride` 1 measures
 * every prefix.
 */
import type { OnnxMusicModel } from '../inference/onnx-model.ts';
import { emptyCache, type CrossState, type KvCache } from '../inference/tensors.ts';
import { BAR, BOS, tokenId } from '../tokens/vocab.ts';

export interface KvCacheBench {
  tokens: number;
  cachedMs: number;
  /** Estimated time to write `tokens` tokens by recomputing each prefix. */
  recomputeMs: number;
  /** Prefix lengths actually measured for the estimate. */
  recomputeSamples: number;
  speedup: number;
}

const CAPTION = 'an upbeat jazz trio with piano, upright bass and drums';

/** Timing needs valid ids, not music: a cycle of ordinary body tokens. */
function tokenAt(i: number): number {
  if (i === 0) return BOS;
  const cycle = [BAR, tokenId('position', 0), tokenId('instrument', 0), tokenId('pitch', 60), tokenId('velocity', 8), tokenId('duration', 7)];
  return cycle[i % cycle.length];
}

async function cachedMs(model: OnnxMusicModel, cross: CrossState, tokens: number): Promise<number> {
  let cache: KvCache = emptyCache(1);
  const start = performance.now();
  for (let i = 0; i < tokens; i++) {
    const out = await model.decode({
      inputIds: BigInt64Array.of(BigInt(tokenAt(i))),
      positionIds: BigInt64Array.of(BigInt(i)),
      barPositionIds: new BigInt64Array(1), // any value times the same
      pastLengths: [i],
      rows: 1, newTokens: 1, cache, cross,
    });
    cache = out.cache;
  }
  const ms = performance.now() - start;
  model.forget(cache);
  return ms;
}

async function prefixMs(model: OnnxMusicModel, cross: CrossState, length: number): Promise<number> {
  const start = performance.now();
  const out = await model.decode({
    inputIds: BigInt64Array.from({ length }, (_, i) => BigInt(tokenAt(i))),
    positionIds: BigInt64Array.from({ length }, (_, i) => BigInt(i)),
    barPositionIds: new BigInt64Array(length),
    pastLengths: [0],
    rows: 1, newTokens: length, cache: emptyCache(1), cross,
  });
  const ms = performance.now() - start;
  model.forget(out.cache);
  return ms;
}

export async function benchKvCache(model: OnnxMusicModel, tokens: number, stride = 10): Promise<KvCacheBench> {
  const length = Math.min(tokens, model.dims.maxMusicLen);
  const cross = await model.encodeText([model.textIds(CAPTION)]);
  await cachedMs(model, cross, 8); // warm-up: first runs allocate
  const cached = Math.min(await cachedMs(model, cross, length), await cachedMs(model, cross, length));
  let recomputeMs = 0;
  let samples = 0;
  // Lengths stride/2, stride/2 + stride, ...: each sample covers the `stride` lengths centred on it.
  for (let first = 1; first <= length; first += stride) {
    const covered = Math.min(stride, length - first + 1);
    const at = first + Math.floor((covered - 1) / 2);
    // The faster of two calls: a first call at a new length pays for allocations a real decode loop would not repeat.
    recomputeMs += covered * Math.min(await prefixMs(model, cross, at), await prefixMs(model, cross, at));
    samples += 1;
  }
  model.forget(cross);
  return { tokens: length, cachedMs: cached, recomputeMs, recomputeSamples: samples, speedup: recomputeMs / cached };
}
