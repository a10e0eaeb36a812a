/** Keys as tonic pitch class + mode, with the names people and captions use. */
export type Mode = 'major' | 'minor';

export interface Key {
  /** Pitch class of the tonic, 0 = C ... 11 = B. */
  tonic: number;
  mode: Mode;
}

/** Spellings used when naming a key: sharps or flats as a musician would write the key signature. */
const MAJOR_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

export function keyName(key: Key): string {
  return `${(key.mode === 'major' ? MAJOR_NAMES : MINOR_NAMES)[key.tonic]} ${key.mode}`;
}

/** 0-11 for C major ... B major, 12-23 for C minor ... B minor (the tokenizer's key order). */
export function keyIndex(key: Key): number {
  return key.tonic + (key.mode === 'minor' ? 12 : 0);
}

export function keyFromIndex(index: number): Key {
  return { tonic: index % 12, mode: index >= 12 ? 'minor' : 'major' };
}

/** The relative major of a minor key or the relative minor of a major key. */
export function relativeKey(key: Key): Key {
  return key.mode === 'major'
    ? { tonic: (key.tonic + 9) % 12, mode: 'minor' }
    : { tonic: (key.tonic + 3) % 12, mode: 'major' };
}

export function sameKey(a: Key, b: Key): boolean {
  return a.tonic === b.tonic && a.mode === b.mode;
}
