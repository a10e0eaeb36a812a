/**
 * The MIDI and MusicXML collections of the shared data as SourceExamples: multi-track songs, POP909, Groove,
 * Nottingham, VGMIDI and the music21 chorales. Each yields raw bytes with labels; parsing happens in the workers.
 */
import path from 'node:path';
import { pop909MainKey } from '../../music/labels.ts';
import type { Key } from '../../music/keys.ts';
import { isMidiName, readArchive, readArchiveMember } from '../archive.ts';
import type { Labels } from '../example.ts';
import { parseCsv, readManifest } from '../manifest.ts';
import { readVgmidi } from '../mood-agreement.ts';

/** A piece before parsing: the file's bytes, how to read them, and its labels. */
export interface RawPiece {
  source: string;
  songId: string;
  origin: string;
  format: 'midi' | 'mxl';
  bytes: Uint8Array;
  labels: Labels;
  /** A labelled key to state in the header instead of the detected one. */
  key?: Key;
  /** Drum keys written for a particular kit, to map onto General MIDI. */
  drumKit?: 'td11';
}

export interface SourceOptions {
  /** Stop after this many pieces of this source. */
  limit?: number;
}

const GENRE_NAMES: Record<string, string> = {
  classic: 'classical', classical: 'classical', rap_hip_hop: 'hip hop', rnb_soul: 'r&b', rock: 'rock', pop: 'pop',
  country: 'country', jazz: 'jazz',
};

async function* multitrack(dataDir: string, name: string, labelsOf: (row: Record<string, string>) => Labels, options: SourceOptions): AsyncGenerator<RawPiece> {
  const manifest = await readManifest(path.join(dataDir, 'multitrack', `${name}.csv`));
  let count = 0;
  for await (const member of readArchive(path.join(dataDir, 'multitrack', `${name}.tar.gz`), isMidiName)) {
    const row = manifest.get(member.name) ?? { member: member.name, origin: name };
    yield { source: name, songId: `${name}/${member.name}`, origin: row.origin, format: 'midi', bytes: member.bytes, labels: labelsOf(row) };
    if (++count === options.limit) return;
  }
}

/** Title from a file name: "FF7 - Aerith's Theme" stays, "d_bunny.mid" becomes "d bunny". */
function cleanTitle(title: string | undefined): string | undefined {
  const cleaned = title?.replace(/\.(mid|midi)$/i, '').replace(/[_]+/g, ' ').trim();
  return cleaned || undefined;
}

export function freemidi(dataDir: string, options: SourceOptions = {}) {
  return multitrack(dataDir, 'freemidi', (row) => ({
    genre: GENRE_NAMES[row.genre] ?? row.genre,
    styles: [],
    moods: [],
    artist: row.artist || undefined,
    title: cleanTitle(row.title),
  }), options);
}

export function vgmusic(dataDir: string, options: SourceOptions = {}) {
  return multitrack(dataDir, 'vgmusic', (row) => ({ genre: 'video game', styles: [], moods: [], title: cleanTitle(row.title) }), options);
}

export function riddim(dataDir: string, options: SourceOptions = {}) {
  return multitrack(dataDir, 'riddim', (row) => ({
    genre: 'reggae',
    styles: /dub/i.test(row.collection ?? '') || /dub/i.test(row.title ?? '') ? ['dub'] : [],
    moods: [],
    title: cleanTitle(row.title?.replace(/_all(\.mid)?$/i, '')),
  }), options);
}

export function freedoom(dataDir: string, options: SourceOptions = {}) {
  return multitrack(dataDir, 'freedoom', () => ({ genre: 'video game', styles: [], moods: [] }), options);
}

/** POP909: piano arrangements (melody, bridge, accompaniment) with the key annotated per song. */
export async function* pop909(dataDir: string, options: SourceOptions = {}): AsyncGenerator<RawPiece> {
  const archive = path.join(dataDir, 'parts', 'pop909.tar.gz');
  const keys = new Map<string, Key | undefined>();
  const midis = new Map<string, Uint8Array>();
  let count = 0;
  // key_audio.txt follows the song's MIDI file in the archive; pair them by folder.
  for await (const member of readArchive(archive, (name) => /POP909\/\d+\/(\d+\.mid|key_audio\.txt)$/.test(name))) {
    const folder = path.dirname(member.name);
    if (member.name.endsWith('.mid')) midis.set(folder, member.bytes);
    else keys.set(folder, pop909MainKey(Buffer.from(member.bytes).toString('utf8')));
    if (midis.has(folder) && keys.has(folder)) {
      yield {
        source: 'pop909', songId: `pop909/${folder}`, origin: 'music-x-lab/POP909-Dataset (MIT)', format: 'midi',
        bytes: midis.get(folder)!, labels: { genre: 'pop', styles: ['piano arrangement'], moods: [] }, key: keys.get(folder),
      };
      midis.delete(folder);
      keys.delete(folder);
      if (++count === options.limit) return;
    }
  }
}

/** Groove MIDI Dataset: human drum performances with style, tempo and meter; fills (one or two bars) are left out. */
export async function* groove(dataDir: string, options: SourceOptions = {}): AsyncGenerator<RawPiece> {
  const archive = path.join(dataDir, 'parts', 'groove.tar.gz');
  const info = await readArchiveMember(archive, 'groove/info.csv');
  const rows = new Map(parseCsv(info ?? '').map((row) => [`groove/${row.midi_filename}`, row]));
  let count = 0;
  for await (const member of readArchive(archive, isMidiName)) {
    const row = rows.get(member.name);
    if (!row || row.beat_type !== 'beat') continue;
    const style = row.style.split('/')[0].replace('hiphop', 'hip hop').replace('neworleans', 'new orleans').replace('afrocuban', 'afro-cuban');
    yield {
      source: 'groove', songId: `groove/${row.drummer}/${row.id}`, origin: 'Groove MIDI Dataset (CC BY 4.0)', format: 'midi',
      bytes: member.bytes, labels: { styles: [style, 'drums'], moods: [] }, drumKit: 'td11',
    };
    if (++count === options.limit) return;
  }
}

const NOTTINGHAM_TYPES: Record<string, string> = {
  ashover: 'folk tune', hpps: 'hornpipe', jigs: 'jig', morris: 'morris dance', playford: 'country dance',
  reels: 'reel', slip: 'slip jig', waltzes: 'waltz', xmas: 'christmas carol',
};

/** Nottingham: British and Irish folk tunes, melody with chords (MIDI/melody and MIDI/chords hold the parts alone). */
export async function* nottingham(dataDir: string, options: SourceOptions = {}): AsyncGenerator<RawPiece> {
  let count = 0;
  for await (const member of readArchive(path.join(dataDir, 'parts', 'nottingham.tar.gz'), (name) => /^MIDI\/[^/]+\.mid$/i.test(name))) {
    // "reelsa-c12.mid" -> "reels", "jigs101.mid" -> "jigs"
    const collection = path.basename(member.name).replace(/(a-c|d-g|h-l|m-q|r-t|u-z)?\d*\.mid$/i, '');
    yield {
      source: 'nottingham', songId: `nottingham/${member.name}`, origin: 'jukedeck/nottingham-dataset (GPL-3.0)', format: 'midi',
      bytes: member.bytes,
      labels: { genre: 'folk', styles: [NOTTINGHAM_TYPES[collection] ?? 'folk tune'], moods: [] },
    };
    if (++count === options.limit) return;
  }
}

/** VGMIDI: piano arrangements of game music; each labelled phrase carries human valence and arousal. */
export async function* vgmidi(dataDir: string, options: SourceOptions = {}): AsyncGenerator<RawPiece> {
  let count = 0;
  for (const phrase of await readVgmidi(dataDir, 'phrases')) {
    if (!phrase.bytes) continue;
    const title = phrase.piece.replace(/^labelled\/midi\//, '').replace(/\.mid$/i, '').split('_').pop();
    yield {
      source: 'vgmidi', songId: `vgmidi/${phrase.piece}`, origin: 'lucasnfe/vgmidi (valence/arousal labels)', format: 'midi',
      bytes: phrase.bytes,
      labels: { genre: 'video game', styles: ['piano arrangement'], moods: [], title, valence: phrase.valence, arousal: phrase.arousal },
    };
    if (++count === options.limit) return;
  }
}

/** The music21 corpus' Bach chorales and Joplin rags (MusicXML); its ABC folk collections are not read yet. */
export async function* music21(dataDir: string, options: SourceOptions = {}): AsyncGenerator<RawPiece> {
  let count = 0;
  for await (const member of readArchive(path.join(dataDir, 'parts', 'music21-corpus.tar.gz'), (name) => /\.(mxl|xml|musicxml)$/i.test(name) && !name.includes('choraleAnalyses'))) {
    const bach = member.name.includes('/bach/');
    yield {
      source: 'music21', songId: `music21/${member.name}`, origin: 'cuthbertLab/music21 corpus (public-domain works)', format: 'mxl',
      bytes: member.bytes,
      labels: bach
        ? { genre: 'classical', styles: ['chorale', 'choral'], moods: [], artist: 'J. S. Bach' }
        : { genre: 'classical', styles: ['ragtime'], moods: [], artist: 'Scott Joplin' },
    };
    if (++count === options.limit) return;
  }
}

export const COLLECTIONS = { freemidi, vgmusic, riddim, freedoom, pop909, groove, nottingham, vgmidi, music21 } as const;
