/**
 * The TypeScript half of the export parity check: onnxruntime-node, fed parity.json's inputs, must give PyTorch's
 * logits for the prefill and for each cached step (training/export.py writes them).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxMusicModel } from '../src/inference/onnx-model.ts';
import { emptyCache, type KvCache } from '../src/inference/tensors.ts';
import { barPositionIds } from '../src/tokens/bar-position.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

interface Parity {
  tolerance: number;
  text_ids: number[];
  text_mask: number[];
  prefix_ids: number[];
  prefix_position_ids: number[];
  step_ids: number[];
  step_position_ids: number[];
  /** Written by exports since the metrical model; absent in older parity files. */
  prefix_bar_position_ids?: number[];
  step_bar_position_ids?: number[];
  logits: number[][];
}

const int64 = (values: number[]) => BigInt64Array.from(values, BigInt);

function maxAbsDiff(actual: Float32Array, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe.skipIf(withoutModel())('ONNX parity with PyTorch', () => {
  it('reproduces the prefill and cached-step logits within the tolerance', async () => {
    const dir = MODEL_DIR!;
    const parity = JSON.parse(readFileSync(path.join(dir, 'parity.json'), 'utf8')) as Parity;
    const model = await OnnxMusicModel.load(dir, { device: 'cpu', threads: 1 });
    try {
      const vocab = model.dims.vocab;
      expect(parity.logits.length).toBe(parity.step_ids.length + 1);
      const cross = await model.encodeText([parity.text_ids]);
      expect(cross.lengths).toEqual([parity.text_mask.filter((bit) => bit === 1).length]);
      const n = parity.prefix_ids.length;
      // The bar positions are computed here as the engine computes them; PyTorch's own must agree.
      const bars = barPositionIds([...parity.prefix_ids, ...parity.step_ids]);
      if (model.dims.metrical) expect(bars).toEqual([...parity.prefix_bar_position_ids!, ...parity.step_bar_position_ids!]);
      let out = await model.decode({
        inputIds: int64(parity.prefix_ids), positionIds: int64(parity.prefix_position_ids), barPositionIds: int64(bars.slice(0, n)), pastLengths: [0],
        rows: 1, newTokens: n, cache: emptyCache(1), cross,
      });
      expect(out.logits.length).toBe(vocab);
      const diffs = [maxAbsDiff(out.logits, parity.logits[0])];
      let cache: KvCache = out.cache;
      for (let i = 0; i < parity.step_ids.length; i++) {
        out = await model.decode({
          inputIds: int64([parity.step_ids[i]]), positionIds: int64([parity.step_position_ids[i]]), barPositionIds: int64([bars[n + i]]),
          pastLengths: [cache.columns], rows: 1, newTokens: 1, cache, cross,
        });
        cache = out.cache;
        diffs.push(maxAbsDiff(out.logits, parity.logits[i + 1]));
      }
      expect(cache.columns).toBe(n + parity.step_ids.length);
      for (const diff of diffs) expect(diff).toBeLessThan(parity.tolerance);
    } finally {
      await model.release();
    }
  });
});
