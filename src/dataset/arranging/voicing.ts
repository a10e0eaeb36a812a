/**
 * Voicing chords for a keyboard or pad part: which chord tones to play (guide tones first, the root left to the bass
 * in rootless jazz voicings) and where (the spread closest to the previous chord, near a centre pitch, inside a
 * register), so that successive chords move by small steps the way a player's hands do.
 */
import { fifthOf, seventhOf, thirdOf, type Chord } from './harmony.ts';

export interface VoicingOptions {
  /** Lowest and highest pitch a voiced note may take. */
  low: number;
  high: number;
  /** Number of notes (3-5); fewer when the chord has fewer usable tones. */
  voices: number;
  /** Leave the root out (the bass plays it): the jazz pianist's left-hand voicings. */
  rootless: boolean;
  /** The register the voicing gravitates to (mean pitch). */
  center: number;
  /** Most semitones between the lowest and the highest note. */
  maxSpan: number;
}

const MINOR_NINTH_ABOVE = 1;
/** Below this pitch, two voices closer than a minor third turn to mud. */
const MUD_LINE = 53;

/**
 * The pitch classes to voice, most important first: third and seventh define the chord, altered tensions and an
 * altered fifth colour it, then 9/13/11, the fifth and the root. A tone a minor ninth above the bass is dropped (it
 * grates against it) unless it is a dominant's written b9.
 */
export function voicingPitchClasses(chord: Chord, voices: number, rootless: boolean): number[] {
  const third = thirdOf(chord);
  const seventh = seventhOf(chord);
  const fifth = fifthOf(chord);
  const tensions = chord.intervals.filter((interval) => interval > 12);
  const isTriad = seventh === undefined && tensions.length === 0;
  // Rootless voicings need a seventh (or sixth) and a third to say what the chord is; diminished and augmented
  // triads, triads and power chords keep their root.
  const dropRoot = rootless && !isTriad && third !== undefined && !(fifth === 6 && seventh === 9);
  const altered = tensions.filter((t) => t === 13 || t === 15 || t === 18 || t === 20);
  const natural = [14, 21, 17].filter((t) => tensions.includes(t));
  // A jazz pianist colours a plain seventh or sixth chord with the tension that suits it, where a voice is free.
  if (dropRoot && tensions.length === 0) natural.push(...colourTensions(third, fifth, seventh));
  const order: Array<number | undefined> = isTriad
    ? [0, third, fifth]
    : [third, seventh, ...altered, fifth !== 7 ? fifth : undefined, ...natural, fifth, dropRoot ? undefined : 0];

  const dominantFlatNine = chord.intervals.includes(10) && chord.intervals.includes(13) && chord.bass === chord.root;
  const classes: number[] = [];
  for (const interval of order) {
    if (interval === undefined) continue;
    const pc = (chord.root + interval) % 12;
    if (classes.includes(pc)) continue;
    const clashes = (pc - chord.bass + 12) % 12 === MINOR_NINTH_ABOVE && !(dominantFlatNine && interval === 13);
    if (clashes) continue;
    classes.push(pc);
  }
  // A slash chord's bass note need not be doubled above when there is enough else to play.
  const withoutBass = classes.filter((pc) => pc !== chord.bass || chord.bass === chord.root);
  const chosen = (withoutBass.length >= Math.min(3, voices) ? withoutBass : classes).slice(0, voices);
  // Triads and power chords fill the remaining voices by doubling the root, then the fifth, an octave apart.
  if (isTriad || third === undefined) {
    const doubles = [chord.root, (chord.root + (fifth ?? 0)) % 12];
    for (const pc of doubles) if (chosen.length < voices) chosen.push(pc);
  }
  return chosen;
}

/** The usual added tensions of an unaltered chord: 9 on major, minor, dominant and sixth chords, 11 on half-diminished. */
function colourTensions(third: number | undefined, fifth: number | undefined, seventh: number | undefined): number[] {
  if (third === 3 && fifth === 6) return seventh === 10 ? [17] : [];
  if (seventh === 10 && third === 4) return [14, 21];
  return [14];
}

function candidatesFor(pc: number, low: number, high: number): number[] {
  const pitches: number[] = [];
  for (let pitch = low + ((pc - low) % 12 + 12) % 12; pitch <= high; pitch += 12) pitches.push(pitch);
  return pitches;
}

interface Rules {
  span: boolean;
  mud: boolean;
}

function acceptable(sorted: number[], options: VoicingOptions, above: number | undefined, rules: Rules): boolean {
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
  if (above !== undefined && sorted[0] <= above) return false;
  if (rules.span && sorted[sorted.length - 1] - sorted[0] > options.maxSpan) return false;
  if (rules.mud) {
    for (let i = 1; i < sorted.length; i++) if (sorted[i - 1] < MUD_LINE && sorted[i] - sorted[i - 1] < 3) return false;
  }
  return true;
}

function cost(sorted: number[], previous: readonly number[] | undefined, options: VoicingOptions): number {
  const mean = sorted.reduce((sum, pitch) => sum + pitch, 0) / sorted.length;
  let total = Math.abs(mean - options.center) * 0.6;
  const span = sorted[sorted.length - 1] - sorted[0];
  if (span > 12) total += (span - 12) * 0.3;
  if (previous && previous.length > 0) {
    for (const pitch of sorted) total += Math.min(...previous.map((p) => Math.abs(p - pitch)));
    // The top voice is heard as a line: let it move smoothly.
    total += Math.abs(sorted[sorted.length - 1] - previous[previous.length - 1]) * 0.5;
  }
  return total;
}

/**
 * Pitches (ascending) for a chord, led smoothly from the previous voicing. `above` keeps every note higher than
 * the bass note sounding with it.
 */
export function voiceChord(chord: Chord, previous: readonly number[] | undefined, options: VoicingOptions, above?: number): number[] {
  const classes = voicingPitchClasses(chord, options.voices, options.rootless);
  const candidates = classes.map((pc) => candidatesFor(pc, options.low, options.high));
  const relaxations: Rules[] = [{ span: true, mud: true }, { span: true, mud: false }, { span: false, mud: false }];
  for (const rules of relaxations) {
    let best: number[] | undefined;
    let bestCost = Infinity;
    const chosen = new Array<number>(classes.length);
    const search = (index: number) => {
      if (index === classes.length) {
        const sorted = [...chosen].sort((a, b) => a - b);
        if (!acceptable(sorted, options, above, rules)) return;
        const value = cost(sorted, previous, options);
        if (value < bestCost - 1e-9) {
          bestCost = value;
          best = sorted;
        }
        return;
      }
      for (const pitch of candidates[index]) {
        chosen[index] = pitch;
        search(index + 1);
      }
    };
    search(0);
    if (best) return best;
  }
  // Only a register too narrow for the chord gets here: stack the classes upward from the bottom of the range.
  const stacked: number[] = [];
  for (const pc of classes) {
    let pitch = candidatesFor(pc, Math.max(options.low, (stacked[stacked.length - 1] ?? options.low - 1) + 1), options.high + 12)[0];
    if (pitch === undefined) continue;
    if (above !== undefined) while (pitch <= above) pitch += 12;
    stacked.push(pitch);
  }
  return stacked.sort((a, b) => a - b);
}
