/**
 * How often the chord roots found by detectChords agree with POP909's chord_midi.txt labels, beat by beat.
 *
 * The labels are in seconds of the original MIDI file; readMidi rounds tempos to whole BPM, so the seconds are
 * turned into ticks with the file's own tempo map (through @tonejs/midi) rather than the score's.
 *
 * Run as a script to print the agreement for both window sizes:
 *   node_modules/.bin/tsx src/dataset/chord-accuracy.ts [dataDir] [songs]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import tonejs from '@tonejs/midi';
import { readArchive } from './archive.ts';
import { beatTicks, detectChords, type ChordWindow } from '../analysis/chords.ts';
import { evenSample, manifestMembers } from './key-accuracy.ts';
import { harteChordRoot, parseTimedLabels } from '../music/labels.ts';
import { readMidi } from '../music/midi.ts';
import { TICKS_PER_QUARTER, barsOf, scoreEndTick, type Score } from '../music/score.ts';
import type { ChordSpan } from '../analysis/chords.ts';

export interface LabelledRoot {
  /** Start in score ticks. */
  tick: number;
  /** Root pitch class, or null for "no chord". */
  root: number | null;
}

/** POP909 chord labels of a song, their times moved onto the score's tick grid with the MIDI file's tempo map. */
export function pop909ChordRoots(midiBytes: Uint8Array, chordText: string): LabelledRoot[] {
  const { header } = new tonejs.Midi(midiBytes);
  return parseTimedLabels(chordText).map(({ start, label }) => ({
    tick: (header.secondsToTicks(start) * TICKS_PER_QUARTER) / header.ppq,
    root: harteChordRoot(label),
  }));
}

export interface RootAgreement {
  /** Beats where the label names a chord. */
  beats: number;
  /** Of those, beats where the detected chord has the labelled root. */
  agreeing: number;
}

/** Compares, at the middle of every beat, the root of the detected chord in effect with the labelled root. */
export function chordRootAgreement(score: Score, chords: readonly ChordSpan[], labels: readonly LabelledRoot[]): RootAgreement {
  const result: RootAgreement = { beats: 0, agreeing: 0 };
  const end = scoreEndTick(score);
  let chordIndex = -1;
  let labelIndex = -1;
  for (const bar of barsOf(score, end)) {
    const beat = beatTicks(bar);
    for (let offset = 0; offset < bar.ticks; offset += beat) {
      const middle = bar.start + offset + beat / 2;
      while (labelIndex + 1 < labels.length && labels[labelIndex + 1].tick <= middle) labelIndex += 1;
      while (chordIndex + 1 < chords.length && chords[chordIndex + 1].tick <= middle) chordIndex += 1;
      const label = labels[labelIndex]?.root ?? null;
      if (label === null) continue;
      result.beats += 1;
      if (chords[chordIndex]?.root === label) result.agreeing += 1;
    }
  }
  return result;
}

/** Root agreement over POP909 songs spread evenly over the set (all 909 when songs is undefined). */
export async function measureChordRootAgreement(dataDir: string, songs?: number, window: ChordWindow = 'beat'): Promise<RootAgreement & { songs: number }> {
  const archive = path.join(dataDir, 'parts/pop909.tar.gz');
  const members = new Set(manifestMembers(archive));
  const all = [...members].map((member) => /^POP909\/(\d+)\/\1\.mid$/.exec(member)?.[1])
    .filter((song): song is string => song !== undefined && members.has(`POP909/${song}/chord_midi.txt`)).sort();
  const wanted = new Set(evenSample(all, songs));
  const pattern = /^POP909\/(\d+)\/(?:\1\.mid|chord_midi\.txt)$/;
  const files = new Map<string, { midi?: Uint8Array; chords?: string }>();
  for await (const { name, bytes } of readArchive(archive, (name) => wanted.has(pattern.exec(name)?.[1] ?? ''))) {
    const song = pattern.exec(name)![1];
    const entry = files.get(song) ?? {};
    if (name.endsWith('.mid')) entry.midi = bytes;
    else entry.chords = new TextDecoder().decode(bytes);
    files.set(song, entry);
  }
  const total = { songs: 0, beats: 0, agreeing: 0 };
  for (const { midi, chords } of files.values()) {
    if (!midi || chords === undefined) continue;
    const score = readMidi(midi);
    const agreement = chordRootAgreement(score, detectChords(score, window), pop909ChordRoots(midi, chords));
    total.songs += 1;
    total.beats += agreement.beats;
    total.agreeing += agreement.agreeing;
  }
  return total;
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.argv[2] ?? process.env.MOTIF_DATA ?? '../shared/data');
  const songs = process.argv[3] ? Number.parseInt(process.argv[3], 10) : undefined;
  for (const window of ['beat', 'half-bar'] as const) {
    const { songs: count, beats, agreeing } = await measureChordRootAgreement(dataDir, songs, window);
    console.log(`${window}: ${count} songs, ${beats} labelled beats, root agreement ${((agreeing / beats) * 100).toFixed(1)}%`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
