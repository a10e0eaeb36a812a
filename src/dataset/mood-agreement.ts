/**
 * How often the inferred valence and arousal (src/analysis/moods.ts) agree with VGMIDI's human labels.
 *
 * `parts/vgmidi.tar.gz` holds `vgmidi_labelled.csv` (one row per labelled phrase: valence and arousal -1/+1 from the
 * annotators, and `midi` = labelled/phrases/<piece>_<n>.mid), the phrases themselves inside `labelled/phrases.zip`,
 * and the whole pieces as `labelled/midi/<piece>.mid`. The phrases are what the annotators heard, so they are the
 * primary measure; they were exported at a nominal 120 BPM with real-time ticks, so the whole pieces (real tempo) are
 * measured too.
 *
 * Run as a script to print the numbers of docs/MOODS.md:
 *   node_modules/.bin/tsx src/dataset/mood-agreement.ts [dataDir]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { analyzeScore } from '../analysis/analysis.ts';
import { MidiReadError, readMidi } from '../music/midi.ts';
import { inferValenceArousal } from '../analysis/moods.ts';
import { readArchive } from './archive.ts';
import { parseCsv } from './manifest.ts';

export type VgmidiExcerpt = 'phrases' | 'pieces';

export interface VgmidiLabel {
  /** Archive member of the whole piece, and the phrase's path inside phrases.zip. */
  piece: string;
  phrase: string;
  valence: 1 | -1;
  arousal: 1 | -1;
}

export interface AxisAgreement {
  agree: number;
  total: number;
  rate: number;
  /** Mean of the per-class agreement rates, so that always answering the larger class scores 0.5. */
  balanced: number;
  /** Agreement of always answering the more common label. */
  majorityBaseline: number;
}

export interface MoodAgreement {
  excerpt: VgmidiExcerpt;
  labelled: number;
  /** Labelled rows whose MIDI could not be read or has no pitched notes (counted as disagreements). */
  unusable: number;
  valence: AxisAgreement;
  arousal: AxisAgreement;
  quadrant: { agree: number; rate: number; majorityBaseline: number };
  /** Of the pieces inferred major / minor, the share the annotators rated positive. */
  positiveWhenMajor: { share: number; count: number };
  positiveWhenMinor: { share: number; count: number };
}

function parseLabels(csv: string): VgmidiLabel[] {
  return parseCsv(csv).map((row) => {
    const phrase = row.midi.split('/').pop()!;
    return {
      piece: `labelled/midi/${phrase.replace(/_\d+\.mid$/i, '.mid')}`,
      phrase: `phrases/${phrase}`,
      valence: Number(row.valence) > 0 ? 1 : -1,
      arousal: Number(row.arousal) > 0 ? 1 : -1,
    };
  });
}

/** The labels and the MIDI bytes of each labelled excerpt, read from the archive in one pass. */
export async function readVgmidi(dataDir: string, excerpt: VgmidiExcerpt): Promise<Array<VgmidiLabel & { bytes?: Uint8Array }>> {
  let csv: string | undefined;
  let zip: Uint8Array | undefined;
  const pieces = new Map<string, Uint8Array>();
  const wanted = (name: string) => name === 'vgmidi_labelled.csv' || name === 'labelled/phrases.zip' || name.startsWith('labelled/midi/');
  for await (const member of readArchive(path.join(dataDir, 'parts/vgmidi.tar.gz'), wanted)) {
    if (member.name === 'vgmidi_labelled.csv') csv = new TextDecoder().decode(member.bytes);
    else if (member.name === 'labelled/phrases.zip') zip = member.bytes;
    else pieces.set(member.name, member.bytes);
  }
  if (csv === undefined || zip === undefined) throw new Error('parts/vgmidi.tar.gz lacks vgmidi_labelled.csv or labelled/phrases.zip');
  const labels = parseLabels(csv);
  if (excerpt === 'pieces') return labels.map((label) => ({ ...label, bytes: pieces.get(label.piece) }));
  const phrases = unzipSync(zip, { filter: (file) => file.name.startsWith('phrases/') });
  return labels.map((label) => ({ ...label, bytes: phrases[label.phrase] }));
}

function axis(pairs: ReadonlyArray<[number | null, number]>): AxisAgreement {
  const total = pairs.length;
  const agree = pairs.filter(([inferred, label]) => inferred === label).length;
  const positives = pairs.filter(([, label]) => label > 0);
  const negatives = pairs.filter(([, label]) => label < 0);
  const rateWithin = (group: typeof pairs, label: number) => (group.length ? group.filter(([inferred]) => inferred === label).length / group.length : 0);
  return {
    agree,
    total,
    rate: agree / total,
    balanced: (rateWithin(positives, 1) + rateWithin(negatives, -1)) / 2,
    majorityBaseline: Math.max(positives.length, negatives.length) / total,
  };
}

export async function measureMoodAgreement(dataDir: string, excerpt: VgmidiExcerpt = 'phrases'): Promise<MoodAgreement> {
  const rows = await readVgmidi(dataDir, excerpt);
  let unusable = 0;
  const results = rows.map((row) => {
    let inferred: { valence: number | null; arousal: number | null } = { valence: null, arousal: null };
    try {
      if (!row.bytes) throw new MidiReadError('empty-file', `${row.piece} is not in the archive`);
      inferred = inferValenceArousal(analyzeScore(readMidi(row.bytes)));
    } catch (error) {
      if (!(error instanceof MidiReadError)) throw error;
    }
    if (inferred.valence === null || inferred.arousal === null) unusable += 1;
    return { row, inferred };
  });
  const quadrantCounts = new Map<string, number>();
  for (const { row } of results) quadrantCounts.set(`${row.valence}${row.arousal}`, (quadrantCounts.get(`${row.valence}${row.arousal}`) ?? 0) + 1);
  const quadrantAgree = results.filter(({ row, inferred }) => inferred.valence === row.valence && inferred.arousal === row.arousal).length;
  const positiveShare = (mode: number) => {
    const group = results.filter(({ inferred }) => inferred.valence === mode);
    return { share: group.length ? group.filter(({ row }) => row.valence > 0).length / group.length : 0, count: group.length };
  };
  return {
    excerpt,
    labelled: rows.length,
    unusable,
    valence: axis(results.map(({ row, inferred }) => [inferred.valence, row.valence])),
    arousal: axis(results.map(({ row, inferred }) => [inferred.arousal, row.arousal])),
    quadrant: { agree: quadrantAgree, rate: quadrantAgree / rows.length, majorityBaseline: Math.max(...quadrantCounts.values()) / rows.length },
    positiveWhenMajor: positiveShare(1),
    positiveWhenMinor: positiveShare(-1),
  };
}

export function formatAgreement(result: MoodAgreement): string {
  const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
  const row = (name: string, a: AxisAgreement) =>
    `| ${result.excerpt} | ${name} | ${a.agree}/${a.total} = ${percent(a.rate)} | ${percent(a.balanced)} | ${percent(a.majorityBaseline)} |`;
  return [
    row('valence', result.valence),
    row('arousal', result.arousal),
    `| ${result.excerpt} | quadrant | ${result.quadrant.agree}/${result.labelled} = ${percent(result.quadrant.rate)} | - | ${percent(result.quadrant.majorityBaseline)} |`,
    `(${result.excerpt}: unusable ${result.unusable}; rated positive when inferred major ${percent(result.positiveWhenMajor.share)} of ${result.positiveWhenMajor.count}, when minor ${percent(result.positiveWhenMinor.share)} of ${result.positiveWhenMinor.count})`,
  ].join('\n');
}

export const AGREEMENT_TABLE_HEADER = '| excerpt | axis | agreement | balanced | majority baseline |\n|---|---|---|---|---|';

async function main(): Promise<void> {
  const dataDir = path.resolve(process.argv[2] ?? process.env.MOTIF_DATA ?? '../shared/data');
  console.log(AGREEMENT_TABLE_HEADER);
  for (const excerpt of ['phrases', 'pieces'] as const) console.log(formatAgreement(await measureMoodAgreement(dataDir, excerpt)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
