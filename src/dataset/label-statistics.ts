/**
 * What the training data says about each genre and mood label it has: tempo percentiles, how often the drum kit
 * plays, the meters, the share of minor keys and the instruments, counted over the train examples whose captions name
 * the label (labelled-examples.ts). `npx motif label-stats` prints it; docs/PROMPTS.md keeps the tables that the
 * genre and mood conventions of src/text/conventions.ts were read from.
 */
import { percentile } from '../analysis/metrics/summary.ts';
import { instrumentName } from '../music/instruments.ts';
import { DRUMS } from '../music/score.ts';
import type { ScoreHeader } from '../tokens/tokenizer.ts';
import { forEachLabelledExample } from './labelled-examples.ts';

export const LABEL_STATISTICS_FORMAT = 'motif-label-statistics-v1';

export interface LabelStatistics {
  examples: number;
  /** BPM of the examples' headers (the tempo in force where each example starts). */
  tempo: { p10: number; p25: number; p50: number; p75: number; p90: number };
  /** Share of examples whose header has the drum kit. */
  drums: number;
  /** Meter "n/d" -> share, the commonest first, those under 5% left out. */
  meters: Record<string, number>;
  /** Share of examples in a minor key, among those with a key. */
  minor: number;
  /** Pitched GM program name -> share of examples, the commonest first, those under 10% left out. */
  instruments: Record<string, number>;
}

export interface LabelStatisticsFile {
  format: typeof LABEL_STATISTICS_FORMAT;
  /** The text vocabulary hash of the dataset counted. */
  dataset: string;
  genres: Record<string, LabelStatistics>;
  moods: Record<string, LabelStatistics>;
}

/** Labels with fewer examples are left out: too few to say what is typical. */
export const MIN_EXAMPLES = 50;
const MIN_METER_SHARE = 0.05;
const MIN_INSTRUMENT_SHARE = 0.1;

interface Tally {
  bpms: number[];
  drums: number;
  meters: Map<string, number>;
  keyed: number;
  minor: number;
  instruments: Map<number, number>;
}

export function buildLabelStatistics(datasetDir: string): LabelStatisticsFile {
  const genres = new Map<string, Tally>();
  const moods = new Map<string, Tally>();
  const index = forEachLabelledExample(datasetDir, (example) => {
    for (const genre of example.genres) count(genres, genre, example.header);
    for (const mood of example.moods) count(moods, mood, example.header);
  });
  return { format: LABEL_STATISTICS_FORMAT, dataset: index.text_vocab.hash, genres: summarizeTallies(genres), moods: summarizeTallies(moods) };
}

function count(tallies: Map<string, Tally>, label: string, header: ScoreHeader): void {
  let tally = tallies.get(label);
  if (!tally) tallies.set(label, (tally = { bpms: [], drums: 0, meters: new Map(), keyed: 0, minor: 0, instruments: new Map() }));
  tally.bpms.push(header.bpm);
  if (header.instruments.includes(DRUMS)) tally.drums++;
  const meter = header.timeSignature.join('/');
  tally.meters.set(meter, (tally.meters.get(meter) ?? 0) + 1);
  if (header.key) {
    tally.keyed++;
    if (header.key.mode === 'minor') tally.minor++;
  }
  for (const id of new Set(header.instruments)) if (id !== DRUMS) tally.instruments.set(id, (tally.instruments.get(id) ?? 0) + 1);
}

function summarizeTallies(tallies: Map<string, Tally>): Record<string, LabelStatistics> {
  const result: Record<string, LabelStatistics> = {};
  for (const [label, tally] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    const examples = tally.bpms.length;
    if (examples < MIN_EXAMPLES) continue;
    const bpms = tally.bpms.sort((a, b) => a - b);
    const at = (p: number) => Math.round(percentile(bpms, p));
    result[label] = {
      examples,
      tempo: { p10: at(10), p25: at(25), p50: at(50), p75: at(75), p90: at(90) },
      drums: share(tally.drums, examples),
      meters: shares(tally.meters, examples, MIN_METER_SHARE, (meter) => meter),
      minor: tally.keyed ? share(tally.minor, tally.keyed) : 0,
      instruments: shares(tally.instruments, examples, MIN_INSTRUMENT_SHARE, instrumentName),
    };
  }
  return result;
}

function share(part: number, total: number): number {
  return Number((part / total).toFixed(3));
}

function shares<K>(counts: Map<K, number>, total: number, min: number, name: (key: K) => string): Record<string, number> {
  return Object.fromEntries([...counts]
    .filter(([, n]) => n / total >= min)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => [name(key), share(n, total)]));
}

/** One kind of label's statistics as the markdown table docs/PROMPTS.md keeps. */
export function labelStatisticsTable(labels: Record<string, LabelStatistics>, heading: string): string {
  const percent = (value: number) => `${Math.round(value * 100)}%`;
  const lines = [
    `| ${heading} | examples | tempo p10 / p25 / p50 / p75 / p90 | drums | meters | minor | instruments (share of examples) |`,
    '|---|---:|---|---:|---|---:|---|',
  ];
  for (const [label, stats] of Object.entries(labels)) {
    const { p10, p25, p50, p75, p90 } = stats.tempo;
    const meters = Object.entries(stats.meters).map(([meter, value]) => `${meter} ${percent(value)}`).join(', ');
    const instruments = Object.entries(stats.instruments).slice(0, 6).map(([name, value]) => `${name} ${percent(value)}`).join(', ');
    lines.push(`| ${label} | ${stats.examples} | ${p10} / ${p25} / ${p50} / ${p75} / ${p90} | ${percent(stats.drums)} | ${meters} | ${percent(stats.minor)} | ${instruments} |`);
  }
  return lines.join('\n');
}
