/**
 * A reward computed from the music alone, for automatic preferences (docs/PREFERENCES.md): how close a piece's
 * musicality metrics sit to the real songs of docs/metrics-reference.json, and how well it keeps what its prompt
 * asked for (the eval's checks, src/eval/judge.ts, measured from the notes). It stands in for votes until people have
 * cast enough, and it is only as good as these metrics: it cannot hear a tune.
 */
import { measureMusicality, type Summary } from '../analysis/metrics/index.ts';
import type { ReferenceMetrics } from '../dataset/reference-metrics.ts';
import type { Score } from '../music/score.ts';
import type { PromptAttributes } from '../text/prompt.ts';
import { judgePiece, type CheckName } from './judge.ts';
import type { Expectation } from './prompt-file.ts';

/** The metrics the eval's musicality table reports; the drum metrics are left out (they say nothing without drums). */
export const REWARD_METRICS = [
  'pitchClassEntropy', 'scaleConsistency', 'grooveConsistency', 'emptyBeatRate', 'polyphony', 'polyphonyRate', 'compressionRatio',
] as const;
export type RewardMetric = (typeof REWARD_METRICS)[number];

export interface MusicReward {
  /** The mean of `musicality` and `adherence` (musicality alone when the prompt asked for nothing the notes can show). */
  reward: number;
  /** Mean closeness to the real songs over the metrics the piece has, 0..1. */
  musicality: number;
  /** Mean of the prompt checks, 0..1; undefined when there were none. */
  adherence: number | undefined;
  closeness: Partial<Record<RewardMetric, number>>;
}

/**
 * 1 at the real songs' median, falling exponentially with the distance from it measured in their p10-p90 spread;
 * undefined when the piece has nothing to measure (NaN).
 */
export function closeness(value: number, real: Summary): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  // A metric whose real values barely vary (none today) would otherwise divide by zero.
  const spread = Math.max(real.p90 - real.p10, 1e-3);
  return Math.exp(-Math.abs(value - real.p50) / spread);
}

/** What a request asked for, as the checks the eval makes: the engine's attributes (stated, with the options over them). */
export function expectationOf(attributes: PromptAttributes): Expectation {
  const expectation: Expectation = { error: false };
  if (attributes.bpm !== undefined) expectation.bpm = attributes.bpm;
  else if (attributes.tempoRange) expectation.tempoRange = attributes.tempoRange;
  if (attributes.key) expectation.key = attributes.key;
  if (attributes.timeSignature) expectation.timeSignature = attributes.timeSignature;
  if (attributes.instruments?.length) expectation.instruments = attributes.instruments;
  if (attributes.drums !== undefined) expectation.drums = attributes.drums;
  if (attributes.bars !== undefined) expectation.bars = attributes.bars;
  return expectation;
}

/** `composed` is 1 for every piece, so it says nothing about one piece against another. */
const UNINFORMATIVE: readonly CheckName[] = ['composed', 'refusal'];

export function musicReward(score: Score, expectation: Expectation, reference: ReferenceMetrics): MusicReward {
  const measured = measureMusicality(score);
  const closenessByMetric: Partial<Record<RewardMetric, number>> = {};
  for (const metric of REWARD_METRICS) {
    const value = closeness(measured[metric], reference.overall.metrics[metric]);
    if (value !== undefined) closenessByMetric[metric] = value;
  }
  const values = Object.values(closenessByMetric);
  const musicality = values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
  const checks = Object.entries(judgePiece(expectation, score)).filter(([name]) => !UNINFORMATIVE.includes(name as CheckName)).map(([, value]) => value);
  const adherence = checks.length ? checks.reduce((sum, value) => sum + value, 0) / checks.length : undefined;
  return { reward: adherence === undefined ? musicality : (musicality + adherence) / 2, musicality, adherence, closeness: closenessByMetric };
}
