/**
 * How often key detection agrees with the key labels in the shared data: POP909 (key_audio.txt, main key), the
 * Nottingham folk tunes (K: of the ABC header, matched to MIDI/<collection><X>.mid) and the Bach chorales of the
 * music21 corpus (MusicXML key signature and mode).
 *
 * Run as a script to print the accuracy table of docs/ANALYSIS.md for every profile:
 *   node_modules/.bin/tsx src/dataset/key-accuracy.ts [dataDir] [filesPerSource]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readArchive } from './archive.ts';
import { DEFAULT_KEY_PROFILE, KEY_PROFILES, keyFromHistogram, pitchClassHistogram, type KeyProfile } from '../analysis/key-detection.ts';
import { keyName, relativeKey, sameKey, type Key } from '../music/keys.ts';
import { parseAbcTunes, pop909MainKey, type AbcTune } from '../music/labels.ts';
import { readMidi } from '../music/midi.ts';
import { readMxl } from '../music/musicxml.ts';
import type { Score } from '../music/score.ts';

export const KEY_SOURCES = ['pop909', 'nottingham', 'chorales'] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

export interface KeyCase {
  source: KeySource;
  /** Archive member the notes came from. */
  name: string;
  label: Key;
  /** Duration-weighted pitch-class histogram of the file (what detection sees). */
  histogram: number[];
}

export interface KeyCases {
  cases: KeyCase[];
  /** Files of the sample that could not be used (unreadable, no label, no pitched notes), per source. */
  skipped: Record<KeySource, number>;
}

export type KeyOutcome = 'exact' | 'relative' | 'fifth' | 'parallel' | 'other';

export interface SourceAccuracy {
  source: KeySource;
  files: number;
  skipped: number;
  /** Share of files whose detected key is the labelled key. */
  exact: number;
  /** Share whose detected key is the labelled key or its relative major/minor. */
  withRelative: number;
  /** How many files fell in each outcome. */
  outcomes: Record<KeyOutcome, number>;
}

/** `count` items spread evenly over the list (all of them when count is undefined or large enough). */
export function evenSample<T>(items: readonly T[], count?: number): T[] {
  if (count === undefined || count >= items.length) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}

/** Members listed in an archive's CSV manifest (the first column, `member`). */
export function manifestMembers(archivePath: string): string[] {
  const csv = readFileSync(archivePath.replace(/\.tar\.gz$/, '.csv'), 'utf8');
  return csv.split(/\r?\n/).slice(1).filter(Boolean).map((line) => {
    if (!line.startsWith('"')) return line.slice(0, line.indexOf(','));
    const close = line.indexOf('",');
    return line.slice(1, close).replace(/""/g, '"');
  });
}

export function keyOutcome(label: Key, detected: Key | null): KeyOutcome {
  if (!detected) return 'other';
  if (sameKey(label, detected)) return 'exact';
  if (sameKey(relativeKey(label), detected)) return 'relative';
  if (label.mode === detected.mode && [5, 7].includes((detected.tonic - label.tonic + 12) % 12)) return 'fifth';
  if (label.tonic === detected.tonic) return 'parallel';
  return 'other';
}

function histogramOf(score: Score): number[] | undefined {
  const histogram = pitchClassHistogram(score);
  return histogram.some((value) => value > 0) ? histogram : undefined;
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

async function pop909Cases(dataDir: string, limit?: number): Promise<{ cases: KeyCase[]; skipped: number }> {
  const archive = path.join(dataDir, 'parts/pop909.tar.gz');
  const members = new Set(manifestMembers(archive));
  const songs = [...members]
    .map((member) => /^POP909\/(\d+)\/\1\.mid$/.exec(member)?.[1])
    .filter((song): song is string => song !== undefined && members.has(`POP909/${song}/key_audio.txt`))
    .sort();
  const wanted = new Set(evenSample(songs, limit));
  const files = new Map<string, { midi?: Uint8Array; keys?: string }>();
  const pattern = /^POP909\/(\d+)\/(?:\1\.mid|key_audio\.txt)$/;
  for await (const { name, bytes } of readArchive(archive, (name) => wanted.has(pattern.exec(name)?.[1] ?? ''))) {
    const song = pattern.exec(name)![1];
    const entry = files.get(song) ?? {};
    if (name.endsWith('.mid')) entry.midi = bytes;
    else entry.keys = new TextDecoder().decode(bytes);
    files.set(song, entry);
  }
  const cases: KeyCase[] = [];
  let skipped = 0;
  for (const song of [...wanted].sort()) {
    const { midi, keys } = files.get(song) ?? {};
    const label = keys === undefined ? undefined : pop909MainKey(keys);
    const score = midi && tryRead(() => readMidi(midi));
    const histogram = score && histogramOf(score);
    if (!label || !histogram) skipped += 1;
    else cases.push({ source: 'pop909', name: `POP909/${song}/${song}.mid`, label, histogram });
  }
  return { cases, skipped };
}

async function nottinghamCases(dataDir: string, limit?: number): Promise<{ cases: KeyCase[]; skipped: number }> {
  const archive = path.join(dataDir, 'parts/nottingham.tar.gz');
  const midiNames = manifestMembers(archive).filter((member) => /^MIDI\/[^/]+\.mid$/.test(member)).sort();
  const wanted = new Set(evenSample(midiNames, limit));
  const tunes = new Map<string, AbcTune>();
  const midis = new Map<string, Uint8Array>();
  for await (const { name, bytes } of readArchive(archive, (name) => wanted.has(name) || /^ABC_cleaned\/.*\.abc$/.test(name))) {
    if (wanted.has(name)) {
      midis.set(name, bytes);
      continue;
    }
    // MIDI/<collection><X>.mid is tune X: of ABC_cleaned/<collection>.abc.
    const collection = path.basename(name, '.abc');
    for (const tune of parseAbcTunes(new TextDecoder().decode(bytes))) tunes.set(`MIDI/${collection}${tune.number}.mid`, tune);
  }
  const cases: KeyCase[] = [];
  let skipped = 0;
  for (const name of [...wanted].sort()) {
    const label = tunes.get(name)?.key;
    const midi = midis.get(name);
    const score = midi && tryRead(() => readMidi(midi));
    const histogram = score && histogramOf(score);
    if (!label || !histogram) skipped += 1;
    else cases.push({ source: 'nottingham', name, label, histogram });
  }
  return { cases, skipped };
}

async function choraleCases(dataDir: string, limit?: number): Promise<{ cases: KeyCase[]; skipped: number }> {
  const archive = path.join(dataDir, 'parts/music21-corpus.tar.gz');
  const names = manifestMembers(archive).filter((member) => /^music21\/corpus\/bach\/[^/]+\.(mxl|xml)$/.test(member)).sort();
  const wanted = new Set(evenSample(names, limit));
  const cases: KeyCase[] = [];
  let used = 0;
  for await (const { name, bytes } of readArchive(archive, (name) => wanted.has(name))) {
    const piece = tryRead(() => readMxl(bytes));
    const histogram = piece && histogramOf(piece.score);
    if (piece?.key && histogram) {
      cases.push({ source: 'chorales', name, label: piece.key, histogram });
      used += 1;
    }
  }
  cases.sort((a, b) => a.name.localeCompare(b.name));
  return { cases, skipped: wanted.size - used };
}

/** Labelled files of every source: up to `limit` per source, spread evenly over it (all when limit is undefined). */
export async function collectKeyCases(dataDir: string, limit?: number): Promise<KeyCases> {
  const [pop909, nottingham, chorales] = [
    await pop909Cases(dataDir, limit), await nottinghamCases(dataDir, limit), await choraleCases(dataDir, limit),
  ];
  return {
    cases: [...pop909.cases, ...nottingham.cases, ...chorales.cases],
    skipped: { pop909: pop909.skipped, nottingham: nottingham.skipped, chorales: chorales.skipped },
  };
}

export function scoreKeyCases({ cases, skipped }: KeyCases, profile: KeyProfile = DEFAULT_KEY_PROFILE): SourceAccuracy[] {
  return KEY_SOURCES.map((source) => {
    const outcomes: Record<KeyOutcome, number> = { exact: 0, relative: 0, fifth: 0, parallel: 0, other: 0 };
    const mine = cases.filter((c) => c.source === source);
    for (const c of mine) outcomes[keyOutcome(c.label, keyFromHistogram(c.histogram, profile).key)] += 1;
    const files = mine.length;
    return {
      source,
      files,
      skipped: skipped[source],
      exact: files ? outcomes.exact / files : 0,
      withRelative: files ? (outcomes.exact + outcomes.relative) / files : 0,
      outcomes,
    };
  });
}

/** Key detection accuracy per source with one profile (the default one unless given). */
export async function measureKeyAccuracy(dataDir: string, limit?: number, profile: KeyProfile = DEFAULT_KEY_PROFILE): Promise<SourceAccuracy[]> {
  return scoreKeyCases(await collectKeyCases(dataDir, limit), profile);
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Markdown table: one row per profile and source. */
export function accuracyTable(rows: Array<{ profile: string; accuracy: SourceAccuracy }>): string {
  const lines = [
    '| profile | source | files | exact | exact or relative | relative | fifth | parallel | other |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { profile, accuracy: a } of rows) {
    lines.push(`| ${profile} | ${a.source} | ${a.files} | ${percent(a.exact)} | ${percent(a.withRelative)} | `
      + `${a.outcomes.relative} | ${a.outcomes.fifth} | ${a.outcomes.parallel} | ${a.outcomes.other} |`);
  }
  return lines.join('\n');
}

/** The label distribution of the cases, e.g. to see how many minor keys a source has. */
export function labelCounts(cases: readonly KeyCase[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of cases) counts[`${c.source} ${c.label.mode}`] = (counts[`${c.source} ${c.label.mode}`] ?? 0) + 1;
  return counts;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.argv[2] ?? process.env.MOTIF_DATA ?? '../shared/data');
  const limit = process.argv[3] ? Number.parseInt(process.argv[3], 10) : undefined;
  const started = Date.now();
  const cases = await collectKeyCases(dataDir, limit);
  const rows = KEY_PROFILES.flatMap((profile) => scoreKeyCases(cases, profile).map((accuracy) => ({ profile: profile.name, accuracy })));
  console.log(accuracyTable(rows));
  console.log(`\nskipped: ${JSON.stringify(cases.skipped)}; labels: ${JSON.stringify(labelCounts(cases.cases))}`);
  console.log(`default profile: ${DEFAULT_KEY_PROFILE.name}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const example = cases.cases[0];
  if (example) console.log(`e.g. ${example.name}: label ${keyName(example.label)}, detected ${keyName(keyFromHistogram(example.histogram).key!)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
