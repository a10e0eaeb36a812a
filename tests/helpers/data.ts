/**
 * The music the tests read.
 *
 * - The fixtures (tests/fixtures/collections, always here): licence-clean subsets of the training data in its own
 *   layout, the first members of each archive byte for byte (tests/fixtures/README.md). The core, tokenizer,
 *   analysis, MIDI/MusicXML and render suites read these, so they run on a fresh clone.
 * - The full training data (../shared/data, or $MOTIF_DATA), read in place and never copied: only for what needs the
 *   whole collections (the dataset build, agreement with human labels, statistics over many songs, the collections
 *   whose licence keeps them out of the repository). Such suites skip without it: `describe.skipIf(withoutData())`
 *   (the rule is helpers/prerequisites.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMidiName, readArchive, type ArchiveMember } from '../../src/dataset/archive.ts';
import { skipWithout } from './prerequisites.ts';

export const DATA_DIR = path.resolve(process.env.MOTIF_DATA ?? '../shared/data');

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/collections', import.meta.url));

/** What the suites read from the full training data. */
const COLLECTIONS = [
  'multitrack/freemidi.tar.gz', 'multitrack/vgmusic.tar.gz', 'multitrack/riddim.tar.gz', 'multitrack/freedoom.tar.gz',
  'parts/pop909.tar.gz', 'parts/groove.tar.gz', 'parts/nottingham.tar.gz', 'parts/vgmidi.tar.gz',
  'parts/music21-corpus.tar.gz', 'parts/jazz-standards.tar.gz', 'parts/tidal-drum-patterns.json',
  'parts/mood-chord-progressions.json',
];

const MISSING = COLLECTIONS.filter((relative) => !existsSync(path.join(DATA_DIR, relative)));

export const HAS_DATA = MISSING.length === 0;

/** The condition of a suite that needs the full training data: true (skip) when it is not there. */
export function withoutData(): boolean {
  const what = existsSync(DATA_DIR) ? `the training data at ${DATA_DIR} lacks ${MISSING.join(', ')}` : `no training data at ${DATA_DIR}`;
  return skipWithout(HAS_DATA, what, 'set MOTIF_DATA to the folder that holds multitrack/ and parts/ (the shared data) to run these suites');
}

/**
 * For a suite that skips `withoutData()` but reads the data in its body: vitest runs a skipped suite's body to list
 * its tests. The read, or an empty object without the data (the suite's tests do not run, so nothing looks at it).
 */
export async function readIfData<T extends object>(read: () => Promise<T>): Promise<T> {
  return HAS_DATA ? read() : ({} as T);
}

/** A file of the full training data; only in suites that skip `withoutData()`. */
export function archivePath(relative: string): string {
  return path.join(DATA_DIR, relative);
}

/** A file of the fixtures, in the training data's layout. */
export function fixturePath(relative: string): string {
  return path.join(FIXTURES_DIR, relative);
}

async function firstMidi(archive: string, count: number): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  for await (const member of readArchive(archive, isMidiName)) {
    members.push(member);
    if (members.length >= count) break;
  }
  return members;
}

/** The first `count` MIDI members of an archive of the full training data, in archive order. */
export function sampleMidi(relative: string, count: number): Promise<ArchiveMember[]> {
  return firstMidi(archivePath(relative), count);
}

/** The first `count` MIDI members of a fixture archive (the same files as the full archive's first ones). */
export async function fixtureMidi(relative: string, count: number): Promise<ArchiveMember[]> {
  const members = await firstMidi(fixturePath(relative), count);
  if (members.length < count) throw new Error(`tests/fixtures/collections/${relative} holds ${members.length} MIDI files, not ${count}`);
  return members;
}
