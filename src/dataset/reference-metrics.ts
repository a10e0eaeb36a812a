/**
 * Reference values of the musicality metrics on real songs: what the evaluation harness compares generated music
 * against. Streams a fixed, evenly spread sample of each multi-track archive and summarises every metric per source
 * and pooled; writes docs/metrics-reference.json (for the harness) and the table in docs/METRICS.md (for people).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MidiReadError, readMidi } from '../music/midi.ts';
import { COMPRESSION_WINDOW_BARS } from '../analysis/metrics/compression.ts';
import { MUSICALITY_METRICS, measureMusicality, type Musicality } from '../analysis/metrics/musicality.ts';
import { summarize, type Summary } from '../analysis/metrics/summary.ts';
import { isMidiName, readArchive } from './archive.ts';

export const REFERENCE_SOURCES = ['freemidi', 'vgmusic', 'riddim', 'freedoom'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];
export type MetricName = (typeof MUSICALITY_METRICS)[number];

export interface SourceReference {
  /** MIDI members visited by the sampling rule. */
  visited: number;
  /** Files measured (visited minus unreadable). */
  files: number;
  unreadable: number;
  metrics: Record<MetricName, Summary>;
}

export interface ReferenceMetrics {
  sampling: string;
  perSource: number;
  /** The window compressionRatio was measured on; compare generated music at the same window. */
  compressionWindowBars: number;
  sources: Partial<Record<ReferenceSource, SourceReference>>;
  /** All sampled files pooled (so a source weighs by its sample size). */
  overall: SourceReference;
}

export interface ReferenceOptions {
  perSource: number;
  sources?: readonly ReferenceSource[];
}

export const SAMPLING_RULE =
  'every k-th MIDI member in archive order, k = max(1, floor(manifest rows / perSource)), from the first; ' +
  'unreadable files are skipped; stops after perSource readable files';

export async function measureReferenceMetrics(dataDir: string, options: ReferenceOptions): Promise<ReferenceMetrics> {
  const sources: ReferenceMetrics['sources'] = {};
  const pooled: Musicality[] = [];
  let visited = 0;
  let unreadable = 0;
  for (const source of options.sources ?? REFERENCE_SOURCES) {
    const sample = await measureSource(dataDir, source, options.perSource);
    sources[source] = summarizeSample(sample.values, sample.visited, sample.unreadable);
    pooled.push(...sample.values);
    visited += sample.visited;
    unreadable += sample.unreadable;
  }
  return {
    sampling: SAMPLING_RULE,
    perSource: options.perSource,
    compressionWindowBars: COMPRESSION_WINDOW_BARS,
    sources,
    overall: summarizeSample(pooled, visited, unreadable),
  };
}

async function measureSource(dataDir: string, source: ReferenceSource, perSource: number) {
  const archive = path.join(dataDir, 'multitrack', `${source}.tar.gz`);
  const stride = Math.max(1, Math.floor(manifestRows(path.join(dataDir, 'multitrack', `${source}.csv`)) / perSource));
  const values: Musicality[] = [];
  let index = -1;
  let visited = 0;
  let unreadable = 0;
  for await (const member of readArchive(archive, isMidiName)) {
    index += 1;
    if (index % stride !== 0) continue;
    visited += 1;
    try {
      values.push(measureMusicality(readMidi(member.bytes)));
    } catch (error) {
      if (!(error instanceof MidiReadError)) throw error;
      unreadable += 1;
    }
    if (values.length >= perSource) break;
  }
  return { values, visited, unreadable };
}

/** Data rows of a manifest (every line but the header; member names hold no line breaks). */
function manifestRows(csvPath: string): number {
  return readFileSync(csvPath, 'utf8').split('\n').filter((line) => line.trim() !== '').length - 1;
}

function summarizeSample(values: Musicality[], visited: number, unreadable: number): SourceReference {
  const metrics = Object.fromEntries(
    MUSICALITY_METRICS.map((name) => [name, summarize(values.map((value) => value[name]))]),
  ) as Record<MetricName, Summary>;
  return { visited, files: values.length, unreadable, metrics };
}

const TABLE_START = '<!-- reference-table:start -->';
const TABLE_END = '<!-- reference-table:end -->';

/** Markdown: one table per metric, a row per source and one pooled. */
export function referenceTable(reference: ReferenceMetrics): string {
  const rows: Array<[string, SourceReference]> = [
    ...Object.entries(reference.sources).map(([name, value]) => [name, value] as [string, SourceReference]),
    ['all', reference.overall],
  ];
  const lines = [
    `Files measured per source: ${rows.map(([name, value]) => `${name} ${value.files} (${value.unreadable} unreadable)`).join(', ')}.`,
    '',
  ];
  for (const metric of MUSICALITY_METRICS) {
    lines.push(`**${metric}**`, '', '| source | n | mean | std | p10 | p50 | p90 |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, value] of rows) {
      const s = value.metrics[metric];
      lines.push(`| ${name} | ${s.count} | ${[s.mean, s.std, s.p10, s.p50, s.p90].map(format).join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function format(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '-';
}

/**
 * Measures and writes docs/metrics-reference.json and the table between the markers in docs/METRICS.md (the entry
 * point of the reference command).
 */
export async function writeReferenceMetrics(dataDir: string, docsDir: string, options: ReferenceOptions): Promise<ReferenceMetrics> {
  const reference = await measureReferenceMetrics(dataDir, options);
  writeFileSync(path.join(docsDir, 'metrics-reference.json'), `${JSON.stringify(reference, null, 2)}\n`);
  const docPath = path.join(docsDir, 'METRICS.md');
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${docPath} has no ${TABLE_START} ... ${TABLE_END} markers`);
  writeFileSync(docPath, `${doc.slice(0, start + TABLE_START.length)}\n${referenceTable(reference)}\n${doc.slice(end)}`);
  return reference;
}
