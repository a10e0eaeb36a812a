/**
 * Decoder speed of another export of a model beside this one's, in the same run (`motif bench --baseline-model`):
 * what a new export bought, on a machine whose speed changes from one minute to the next. Rounds alternate between
 * the two and each keeps its fastest figures.
 */
import { decodeRates, type DecodeRates, type StepRate } from '../inference/benchmark.ts';
import { OnnxMusicModel } from '../inference/onnx-model.ts';
import type { Device } from '../inference/sessions.ts';

export interface ExportComparison {
  baselineId: string;
  baselineLayout: string;
  ours: DecodeRates;
  baseline: DecodeRates;
}

function fastest(runs: DecodeRates[]): DecodeRates {
  const best = (rates: StepRate[]) => rates.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a));
  return {
    cached: runs[0].cached.map((_, i) => best(runs.map((run) => run.cached[i]))),
    longContext: best(runs.map((run) => run.longContext)),
  };
}

export async function benchBaselineExport(model: OnnxMusicModel, dir: string, options: { device: Device; threads: number; steps: number; rounds?: number }): Promise<ExportComparison> {
  const baseline = await OnnxMusicModel.load(dir, { device: options.device, threads: options.threads });
  try {
    const ours: DecodeRates[] = [];
    const theirs: DecodeRates[] = [];
    for (let round = 0; round < (options.rounds ?? 2); round++) {
      ours.push(await decodeRates(model, options.steps, [1, 8]));
      theirs.push(await decodeRates(baseline, options.steps, [1, 8]));
    }
    return { baselineId: baseline.id, baselineLayout: baseline.cacheLayout, ours: fastest(ours), baseline: fastest(theirs) };
  } finally {
    await baseline.release();
  }
}
