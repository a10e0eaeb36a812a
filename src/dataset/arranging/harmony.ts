/**
 * Chords as a root, a bass note and intervals, read from the two spellings the shared data uses: jazz chord symbols
 * as iReal-style charts write them ("Cm7b5", "F7#9", "Bb6/D", "Eb07", "G7alt") and roman numerals relative to a key
 * as free-midi-chords writes them ("bVIIM", "ivm9", "Idom7", "IM-5").
 */
import { parsePitchName } from '../../music/keys.ts';
import { partitionPoint } from '../../music/partition-point.ts';
import type { ChordQuality } from '../../analysis/chords.ts';

export interface Chord {
  /** Pitch class of the root, 0 = C. */
  root: number;
  /** Pitch class of the lowest note: the root, or the note after the slash. */
  bass: number;
  /**
   * Semitones above the root, ascending and unique, starting with 0. Chord tones stay below the octave (third 3/4,
   * sus 2/5, fifth 6/7/8, sixth or diminished seventh 9, seventh 10/11); tensions sit above it (b9 13, 9 14, #9 15,
   * 11 17, #11 18, b13 20, 13 21), so a voicing can tell a tension from a chord tone.
   */
  intervals: number[];
}

/** A chord sounding from `start` to `end` (ticks). */
export interface HarmonySpan {
  start: number;
  end: number;
  chord: Chord;
}

export function pitchClassesOf(chord: Chord): number[] {
  const classes = new Set(chord.intervals.map((interval) => (chord.root + interval) % 12));
  classes.add(chord.bass);
  return [...classes].sort((a, b) => a - b);
}

function makeChord(root: number, intervals: Iterable<number>, bass = root): Chord {
  return { root, bass, intervals: [...new Set([0, ...intervals])].sort((a, b) => a - b) };
}

const has = (chord: Chord, ...intervals: number[]) => intervals.some((interval) => chord.intervals.includes(interval));

/** The third (3/4), or the suspended tone (2/5) of a sus chord; undefined for a power chord. */
export function thirdOf(chord: Chord): number | undefined {
  return chord.intervals.find((i) => i === 3 || i === 4) ?? chord.intervals.find((i) => i === 5 || i === 2);
}

export function fifthOf(chord: Chord): number | undefined {
  return chord.intervals.find((i) => i === 7) ?? chord.intervals.find((i) => i === 6 || i === 8);
}

/** The seventh (10/11), or the sixth / diminished seventh (9) that takes its place. */
export function seventhOf(chord: Chord): number | undefined {
  return chord.intervals.find((i) => i === 10 || i === 11) ?? chord.intervals.find((i) => i === 9);
}

/** The closest of the analysis module's chord qualities (for comparing with detected chords). */
export function qualityOf(chord: Chord): ChordQuality {
  const third = thirdOf(chord);
  const fifth = fifthOf(chord);
  const seventh = chord.intervals.find((i) => i === 10 || i === 11);
  if (third === 3 && fifth === 6) return has(chord, 9) && seventh === undefined ? 'dim7' : seventh === 10 ? 'hdim7' : 'dim';
  if (third === 4 && fifth === 8 && seventh === undefined) return 'aug';
  if (third === 5) return 'sus4';
  if (third === 2) return 'sus2';
  if (third === 3) return seventh !== undefined ? 'min7' : 'min';
  if (seventh === 10) return 'dom7';
  if (seventh === 11) return 'maj7';
  return 'maj';
}

// ---------------------------------------------------------------------------------------------------------------
// Jazz chord symbols

/** Alterations and additions that may follow the quality, longest spelling first. */
const MODIFIERS: ReadonlyArray<readonly [string, (tones: ToneSet) => void]> = [
  ['alt', (t) => { t.fifth = undefined; t.tensions.add(13).add(15).add(20); }],
  ['sus4', (t) => { t.third = 5; }],
  ['sus2', (t) => { t.third = 2; }],
  ['sus', (t) => { t.third = 5; }],
  ['add9', (t) => { t.tensions.add(14); }],
  ['add2', (t) => { t.tensions.add(14); }],
  ['add11', (t) => { t.tensions.add(17); }],
  ['b13', (t) => { t.tensions.add(20); }],
  ['#11', (t) => { t.tensions.add(18); }],
  ['b9', (t) => { t.tensions.add(13); }],
  ['#9', (t) => { t.tensions.add(15); }],
  ['b5', (t) => { t.fifth = 6; }],
  ['#5', (t) => { t.fifth = 8; }],
  ['+5', (t) => { t.fifth = 8; }],
  ['b6', (t) => { t.tensions.add(20); }],
  ['9', (t) => { t.tensions.add(14); }],
  ['11', (t) => { t.tensions.add(17); }],
  ['13', (t) => { t.tensions.add(21); }],
];

interface ToneSet {
  third: number | undefined;
  fifth: number | undefined;
  seventh: number | undefined;
  sixth: boolean;
  tensions: Set<number>;
}

/** Reads the quality part of a symbol (what follows the root, before any slash); undefined when not understood. */
export function parseChordSuffix(suffix: string): number[] | undefined {
  const t: ToneSet = { third: 4, fifth: 7, seventh: undefined, sixth: false, tensions: new Set() };
  let rest = suffix;
  const take = (...prefixes: string[]) => {
    const found = prefixes.find((prefix) => rest.startsWith(prefix));
    if (found !== undefined) rest = rest.slice(found.length);
    return found !== undefined;
  };
  /** A chord number (7, 9, 11, 13) and what it implies below it. */
  const extension = (seventh: number) => {
    if (take('13')) { t.seventh = seventh; t.tensions.add(14).add(21); return true; }
    if (take('11')) { t.seventh = seventh; t.tensions.add(14).add(17); return true; }
    if (take('9')) { t.seventh = seventh; t.tensions.add(14); return true; }
    if (take('7')) { t.seventh = seventh; return true; }
    return false;
  };

  if (take('m/maj7', 'mmaj7', 'mM7', 'm(maj7)', '-maj7', 'minmaj7')) {
    t.third = 3;
    t.seventh = 11;
  } else if (take('maj', 'M', '^', 'Δ')) {
    if (!extension(11)) t.seventh = 11; // "maj" alone is a major seventh chord in chart spelling
  } else if (take('m7b5', 'ø7', 'ø', 'h7', 'h')) {
    t.third = 3;
    t.fifth = 6;
    t.seventh = 10;
  } else if (take('07', 'o7', 'dim7', '°7')) {
    t.third = 3;
    t.fifth = 6;
    t.seventh = 9;
  } else if (take('0', 'o', 'dim', '°')) {
    t.third = 3;
    t.fifth = 6;
  } else if (take('maug', 'm+', 'm#5')) {
    t.third = 3;
    t.fifth = 8;
  } else if (take('aug', '+')) {
    t.fifth = 8;
  } else if (take('min', 'mi', 'm', '-')) {
    t.third = 3;
  }

  if (take('69')) {
    t.sixth = true;
    t.tensions.add(14);
  } else if (take('6')) {
    t.sixth = true;
  } else if (t.seventh === undefined) {
    extension(10);
    // "m11" keeps its third; a dominant "11" is a sus chord in practice (the 11 clashes with a major third).
    if (t.tensions.has(17) && t.third === 4) t.third = 5;
  }

  let guard = 0;
  while (rest.length > 0 && guard++ < 8) {
    rest = rest.replace(/^[(),\s]+/, '');
    const modifier = MODIFIERS.find(([spelling]) => rest.startsWith(spelling));
    if (!modifier) break;
    rest = rest.slice(modifier[0].length);
    modifier[1](t);
  }
  if (rest.replace(/[()\s]/g, '').length > 0) return undefined;

  const intervals = [0];
  if (t.third !== undefined) intervals.push(t.third);
  if (t.fifth !== undefined) intervals.push(t.fifth);
  if (t.sixth) intervals.push(9);
  if (t.seventh !== undefined) intervals.push(t.seventh);
  // An altered tension replaces the natural one the chord number implied ("13b9" has no 9, "9#11" no 11).
  if (t.tensions.has(13) || t.tensions.has(15)) t.tensions.delete(14);
  if (t.tensions.has(18) || t.third === 5) t.tensions.delete(17);
  if (t.tensions.has(20)) t.tensions.delete(21);
  intervals.push(...t.tensions);
  return [...new Set(intervals)].sort((a, b) => a - b);
}

/**
 * A chord symbol such as "Cm7b5", "F#7#9", "Bb6/D", "Eb07", "Abmaj7#11", "G7alt", "C/E"; undefined when the
 * symbol is not one this reader understands.
 */
export function parseChordSymbol(symbol: string): Chord | undefined {
  // "m/maj7" is the one quality spelt with a slash; it is not a bass note.
  const match = /^([A-G][#b]?)([^/]*?)(?:\/([A-G][#b]?))?$/.exec(symbol.trim().replace('m/maj7', 'mmaj7'));
  if (!match) return undefined;
  const root = parsePitchName(match[1]);
  const intervals = parseChordSuffix(match[2]);
  if (root === undefined || intervals === undefined) return undefined;
  const bass = match[3] !== undefined ? parsePitchName(match[3]) : root;
  if (bass === undefined) return undefined;
  return makeChord(root, intervals, bass);
}

// ---------------------------------------------------------------------------------------------------------------
// Roman numerals (free-midi-chords through mingus)

export type ScaleMode = 'major' | 'minor';

const SCALES: Record<ScaleMode, readonly number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
};

const NUMERALS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'];

/** Qualities named by a suffix, as intervals above the degree's root. */
const NUMERAL_SUFFIXES: Readonly<Record<string, readonly number[]>> = {
  M: [0, 4, 7],
  m: [0, 3, 7],
  dim: [0, 3, 6],
  aug: [0, 4, 8],
  'M-5': [0, 4, 6],
  '5': [0, 7],
  sus2: [0, 2, 7],
  sus4: [0, 5, 7],
  dom7: [0, 4, 7, 10],
  M7: [0, 4, 7, 11],
  m7: [0, 3, 7, 10],
  mM7: [0, 3, 7, 11],
  dim7: [0, 3, 6, 9],
  'm7-5': [0, 3, 6, 10],
  '6': [0, 4, 7, 9],
  M6: [0, 4, 7, 9],
  m6: [0, 3, 7, 9],
  '69': [0, 4, 7, 9, 14],
  '9': [0, 4, 7, 10, 14],
  M9: [0, 4, 7, 11, 14],
  m9: [0, 3, 7, 10, 14],
  add9: [0, 4, 7, 14],
  madd9: [0, 3, 7, 14],
};

/** The chord built in thirds from the scale on a degree (0-6): a triad, or a seventh chord when `notes` is 4. */
function diatonicIntervals(scale: readonly number[], degree: number, notes: 3 | 4): number[] {
  const intervals: number[] = [];
  for (let i = 0; i < notes; i++) {
    const step = degree + 2 * i;
    const pitch = scale[step % 7] + 12 * Math.floor(step / 7);
    intervals.push(pitch - scale[degree]);
  }
  return intervals;
}

/**
 * A roman numeral in free-midi-chords' dialect, relative to a key (tonic pitch class and the scale its degrees come
 * from). As its renderer (mingus) reads them: the case of the numeral is ignored; with no suffix the chord is the
 * scale's own triad on that degree, with "7" the scale's own seventh chord, and any other suffix names the quality
 * on the degree's root (M major, m minor, dom7, M7, m9, sus2, add9, M-5 = major with a flat fifth, 5 = power
 * chord ...). Leading b/# move the whole chord. Undefined when the numeral or suffix is unknown.
 */
export function parseRomanNumeral(token: string, tonic: number, mode: ScaleMode): Chord | undefined {
  const match = /^([b#]*)([IViv]+)(.*)$/.exec(token.trim());
  if (!match) return undefined;
  const degree = NUMERALS.indexOf(match[2].toUpperCase());
  if (degree < 0) return undefined;
  const shift = [...match[1]].reduce((sum, accidental) => sum + (accidental === '#' ? 1 : -1), 0);
  const scale = SCALES[mode];
  const suffix = match[3];
  let intervals: readonly number[] | undefined;
  if (suffix === '') intervals = diatonicIntervals(scale, degree, 3);
  else if (suffix === '7') intervals = diatonicIntervals(scale, degree, 4);
  else intervals = NUMERAL_SUFFIXES[suffix];
  if (!intervals) return undefined;
  const root = (((tonic + scale[degree] + shift) % 12) + 12) % 12;
  return makeChord(root, intervals);
}

/** The span sounding at a tick (spans sorted by start, not overlapping), or undefined outside them. */
export function chordAt(spans: readonly HarmonySpan[], tick: number): HarmonySpan | undefined {
  const span = spans[partitionPoint(spans.length, (i) => spans[i].end <= tick)];
  return span && span.start <= tick ? span : undefined;
}
