/** Keys as tonic pitch class + mode, and note names: how they are spelt and how they are read. */
export type Mode = 'major' | 'minor';

export interface Key {
  /** Pitch class of the tonic, 0 = C ... 11 = B. */
  tonic: number;
  mode: Mode;
}

/**
 * Pitch-class names as a musician spells a major key's tonic: flats, except F#. Chord symbols use them too. Minor
 * tonics are spelt by their key signature instead: C# minor (4 sharps) rather than Db minor (8 flats), G# minor.
 */
const PITCH_CLASS_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MINOR_TONIC_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'];

/** "Db", "F#": the name of pitch class 0-11 (C ... B). */
export function pitchClassName(pitchClass: number): string {
  return PITCH_CLASS_NAMES[pitchClass];
}

export function keyName(key: Key): string {
  return `${(key.mode === 'major' ? PITCH_CLASS_NAMES : MINOR_TONIC_NAMES)[key.tonic]} ${key.mode}`;
}

/** Semitones above C of each note letter. */
const LETTER_PITCH_CLASSES: ReadonlyMap<string, number> = new Map([['C', 0], ['D', 2], ['E', 4], ['F', 5], ['G', 7], ['A', 9], ['B', 11]]);

/**
 * The pitch class of a note letter in either case ("c", "G"), raised a semitone by each '#' and lowered by each 'b'
 * in `accidentals`; undefined when the letter is not A to G.
 */
export function letterPitchClass(letter: string, accidentals = ''): number | undefined {
  const natural = LETTER_PITCH_CLASSES.get(letter.toUpperCase());
  if (natural === undefined) return undefined;
  let pitchClass = natural;
  for (const accidental of accidentals) pitchClass += accidental === '#' ? 1 : -1;
  return ((pitchClass % 12) + 12) % 12;
}

/** Pitch class of a note name like "C", "F#", "Bb", "c", "Ebb"; undefined when it is not one. */
export function parsePitchName(name: string): number | undefined {
  const match = /^([A-Ga-g])([#b]*)$/.exec(name.trim());
  return match ? letterPitchClass(match[1], match[2]) : undefined;
}

/**
 * The mode of a mode name ("", "maj", "m", "minor", "dorian", "mix", ...), or undefined when unknown. No name is
 * major, as in "C". Church modes fold into the two modes a Key has, keeping the tonic and choosing by the third:
 * dorian, phrygian, aeolian and locrian become minor; ionian, lydian and mixolydian become major. (A dorian is heard
 * with A as its tonic and a minor third, so "A minor" describes it better than its relative "G major".)
 */
export function modeOf(name: string): Mode | undefined {
  const word = name.trim().toLowerCase();
  if (word === '' || word === 'maj') return 'major';
  if (word === 'm') return 'minor';
  const prefix = word.slice(0, 3);
  if (['maj', 'ion', 'lyd', 'mix'].includes(prefix)) return 'major';
  if (['min', 'aeo', 'dor', 'phr', 'loc'].includes(prefix)) return 'minor';
  return undefined;
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
