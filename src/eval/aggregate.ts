/** Per-attribute and overall rates over the judged pieces, and metric distributions beside the reference. */
import { MUSICALITY_METRICS, summarize, type Summary } from '../analysis/metrics/index.ts';
import type { MetricName, ReferenceMetrics } from '../dataset/reference-metrics.ts';
import { CHECKS, REQUIREMENT_CHECKS, type CheckName, type Checks } from './judge.ts';

export interface Rate {
  /** Runs (prompt x seed) the check applied to. */
  count: number;
  /** Mean of the check over those runs, 0-1. */
  mean: number;
}

export interface Overall {
  /** Mean of the per-attribute rates (each attribute weighs the same). */
  attributeMean: number;
  /** Share of runs that met every requirement they had (instrument precision aside). */
  fullyMet: number;
  runs: number;
}

export function aggregateChecks(runs: ReadonlyArray<{ checks: Checks }>): { attributes: Partial<Record<CheckName, Rate>>; overall: Overall } {
  const attributes: Partial<Record<CheckName, Rate>> = {};
  for (const check of CHECKS) {
    const values = runs.map((run) => run.checks[check]).filter((value): value is number => value !== undefined);
    if (values.length) attributes[check] = { count: values.length, mean: values.reduce((sum, value) => sum + value, 0) / values.length };
  }
  const rates = Object.values(attributes).map((rate) => rate.mean);
  const met = runs.filter((run) => REQUIREMENT_CHECKS.every((check) => (run.checks[check] ?? 1) === 1)).length;
  return {
    attributes,
    overall: {
      attributeMean: rates.length ? rates.reduce((sum, rate) => sum + rate, 0) / rates.length : NaN,
      fullyMet: runs.length ? met / runs.length : NaN,
      runs: runs.length,
    },
  };
}

export interface MetricComparison {
  generated: Summary;
  /** All real songs of the reference sample pooled; undefined without the reference file. */
  reference?: Summary;
}

export function compareMusicality(values: ReadonlyArray<Record<MetricName, number | null>>, reference?: ReferenceMetrics): Record<MetricName, MetricComparison> {
  return Object.fromEntries(MUSICALITY_METRICS.map((metric) => [metric, {
    generated: summarize(values.map((value) => value[metric] ?? NaN)),
    reference: reference?.overall.metrics[metric],
  }])) as Record<MetricName, MetricComparison>;
}

/** The metrics the per-genre table shows: texture, rhythm, repetition and harmony at a glance. */
export const GENRE_TABLE_METRICS = ['emptyBeatRate', 'harmonicPolyphony', 'polyphonyRate', 'compressionRatio', 'drumBarAgreement', 'drumHitsPerBar', 'pitchClassEntropy'] as const satisfies readonly MetricName[];

export interface GenreMusicality {
  genre: string;
  /** Composed runs whose prompt expects this genre. */
  runs: number;
  /** Median of each metric over those runs (NaN where none has a value). */
  medians: Record<(typeof GENRE_TABLE_METRICS)[number], number>;
}

/** Medians of the musicality metrics per expected genre, most runs first; runs without a genre are left out. */
export function musicalityByGenre(runs: ReadonlyArray<{ expect: Record<string, unknown>; musicality?: Partial<Record<MetricName, number | null>> }>): GenreMusicality[] {
  const byGenre = new Map<string, Array<Partial<Record<MetricName, number | null>>>>();
  for (const run of runs) {
    const genre = run.expect.genre;
    if (typeof genre !== 'string' || !run.musicality) continue;
    byGenre.set(genre, [...(byGenre.get(genre) ?? []), run.musicality]);
  }
  return [...byGenre].map(([genre, values]) => ({
    genre,
    runs: values.length,
    medians: Object.fromEntries(GENRE_TABLE_METRICS.map((metric) => [metric, summarize(values.map((value) => value[metric] ?? NaN)).p50])) as GenreMusicality['medians'],
  })).sort((a, b) => b.runs - a.runs || a.genre.localeCompare(b.genre));
}
