/**
 * Bass lines from a chord timeline: a walking line for swing (a chord tone on each beat, the last beat leading by
 * a half step or a fifth into the next chord), or a rhythmic pattern per bar whose hits name chord functions (root,
 * fifth, octave, approach ...) for the other feels. The register stays where a bass player lives, and each chord's
 * root is taken near the previous one so the line does not leap around.
 */
import { chordAt, fifthOf, pitchClassesOf, seventhOf, thirdOf, type Chord, type HarmonySpan } from './harmony.ts';
import { voicingPitchClasses } from './voicing.ts';
import { clampVelocity, durationAtMost, monophonic } from './arrangement.ts';
import type { Random } from '../../music/random.ts';
import type { Bar, Note } from '../../music/score.ts';

export interface BassRange {
  low: number;
  high: number;
  /** Where the roots gravitate. */
  center: number;
}

/** Acoustic / electric bass: E1 to about G3, roots around E2-A2. */
export const BASS_RANGE: BassRange = { low: 28, high: 55, center: 40 };
/** Sub / 808 bass: lower and narrower. */
export const SUB_BASS_RANGE: BassRange = { low: 28, high: 48, center: 36 };

export type BassTone = 'root' | 'fifth' | 'octave' | 'third' | 'seventh' | 'approach' | 'next-root';

export interface BassHit {
  /** Ticks from the bar start. */
  at: number;
  duration: number;
  tone: BassTone;
  /** Added to the base velocity. */
  accent?: number;
}

export interface BassOptions {
  range: BassRange;
  velocity: number;
  random: Random;
}

/** The pitch of a pitch class nearest to a target, inside the range. */
export function placeNear(pc: number, target: number, low: number, high: number): number {
  let best = -1;
  for (let pitch = low + (((pc - low) % 12) + 12) % 12; pitch <= high; pitch += 12) {
    if (best < 0 || Math.abs(pitch - target) < Math.abs(best - target)) best = pitch;
  }
  return best >= 0 ? best : low + (((pc - low) % 12) + 12) % 12;
}

/** Roots follow the previous note but lean back toward the centre of the range. */
function rootPitch(pc: number, previous: number | undefined, range: BassRange): number {
  const target = previous === undefined ? range.center : previous * 0.6 + range.center * 0.4;
  return placeNear(pc, target, range.low, range.high);
}

function endOf(spans: readonly HarmonySpan[]): number {
  return spans.length ? spans[spans.length - 1].end : 0;
}

/**
 * A note leading into `target`: a half step below or above, or the target's fifth (a dominant approach). Notes a
 * half step under a tone of the chord still sounding (`sounding`, pitch classes) are avoided: above the bass that
 * tone would be a minor ninth. Undefined when every approach would clash.
 */
function approachTo(target: number, previous: number, range: BassRange, random: Random, sounding: readonly number[] = []): number | undefined {
  const options = [target - 1, target + 1, target + 7, target - 5]
    .filter((pitch) => pitch >= range.low && pitch <= range.high && pitch !== previous)
    .filter((pitch) => !sounding.includes((pitch + 1) % 12));
  if (options.length === 0) return undefined;
  const chromatic = options.filter((pitch) => Math.abs(pitch - target) === 1);
  const pool = chromatic.length && random.chance(0.65) ? chromatic : options;
  // Prefer the one closest to where the line is.
  const sorted = [...pool].sort((a, b) => Math.abs(a - previous) - Math.abs(b - previous));
  return sorted[random.chance(0.75) ? 0 : Math.min(1, sorted.length - 1)];
}

/** Every pitch class a keyboard may voice over these chords: their tones and the tensions added to colour them. */
function voicedClasses(...chords: Chord[]): number[] {
  return [...new Set(chords.flatMap((chord) => [...pitchClassesOf(chord), ...voicingPitchClasses(chord, 5, true)]))];
}

/**
 * When no approach note is clean: the tone of the chord in force nearest the target that clashes with nothing
 * sounding (the fifth when every tone would).
 */
function leadIn(span: HarmonySpan, target: number, previous: number, range: BassRange, sounding: readonly number[]): number {
  const candidates = chordTones(span)
    .filter((pc) => !sounding.includes((pc + 1) % 12))
    .map((pc) => placeNear(pc, target, range.low, range.high))
    .filter((pitch) => pitch !== previous && pitch !== target)
    .sort((a, b) => Math.abs(a - target) - Math.abs(b - target));
  return candidates[0] ?? placeNear((span.chord.root + (fifthOf(span.chord) ?? 0)) % 12, target, range.low, range.high);
}

/** Chord-tone pitch classes of a span's chord: root, third, fifth, seventh. */
function chordTones(span: HarmonySpan): number[] {
  const { chord } = span;
  return [0, thirdOf(chord), fifthOf(chord), seventhOf(chord)]
    .filter((interval): interval is number => interval !== undefined)
    .map((interval) => (chord.root + interval) % 12);
}

/** Quarter notes: the chord's bass on its first beat, chord tones between, an approach on the beat before a change. */
export function walkingBass(spans: readonly HarmonySpan[], bars: readonly Bar[], options: BassOptions): Note[] {
  const { range, random } = options;
  const end = endOf(spans);
  const notes: Note[] = [];
  let previous: number | undefined;
  for (const bar of bars) {
    const beat = (bar.ticks / bar.numerator) | 0;
    for (let offset = 0; offset + beat <= bar.ticks; offset += beat) {
      const tick = bar.start + offset;
      if (tick >= end) break;
      const span = chordAt(spans, tick);
      if (!span) continue;
      const next = chordAt(spans, tick + beat);
      let pitch: number;
      if (tick === span.start || previous === undefined) {
        pitch = rootPitch(span.chord.bass, previous, range);
      } else if (next && next !== span) {
        // With no clean approach, a chord tone of the chord in force leads on instead.
        const target = rootPitch(next.chord.bass, previous, range);
        const sounding = voicedClasses(span.chord, next.chord);
        pitch = approachTo(target, previous, range, random, sounding) ?? leadIn(span, target, previous, range, sounding);
      } else {
        const heading = next ? rootPitch(next.chord.bass, previous, range) : range.center;
        const from = previous;
        const candidates = chordTones(span)
          .flatMap((pc) => [placeNear(pc, from - 4, range.low, range.high), placeNear(pc, from + 4, range.low, range.high)])
          .filter((p, i, all) => all.indexOf(p) === i && p !== from && Math.abs(p - from) <= 9);
        if (candidates.length === 0) {
          pitch = rootPitch(span.chord.bass, previous, range);
        } else {
          const ranked = candidates.sort((a, b) => (Math.abs(a - from) + Math.abs(a - heading) * 0.5) - (Math.abs(b - from) + Math.abs(b - heading) * 0.5));
          pitch = ranked[random.chance(0.7) ? 0 : Math.min(1, ranked.length - 1)];
        }
      }
      const accent = offset === 0 ? 8 : offset === 2 * beat ? 3 : 0;
      notes.push({ onset: tick, duration: durationAtMost(beat), pitch, velocity: clampVelocity(options.velocity + accent + random.int(7) - 3) });
      previous = pitch;
    }
  }
  return monophonic(notes);
}

/**
 * A bass line from a rhythm per bar. Each hit's tone is taken from the chord sounding at it; a note stops where
 * the next chord starts. When `coverChanges` is set, a chord that begins where no hit falls gets its root there.
 */
export function patternedBass(
  spans: readonly HarmonySpan[],
  bars: readonly Bar[],
  patternFor: (bar: Bar) => readonly BassHit[],
  options: BassOptions & { coverChanges?: boolean },
): Note[] {
  const { range, random } = options;
  const end = endOf(spans);
  const notes: Note[] = [];
  const roots = new Map<HarmonySpan, number>();
  let previous: number | undefined;
  // Roots are placed from the previous root, not from a passing octave or fifth, so the register does not creep.
  let previousRoot: number | undefined;
  const rootOf = (span: HarmonySpan) => {
    let pitch = roots.get(span);
    if (pitch === undefined) {
      pitch = rootPitch(span.chord.bass, previousRoot, range);
      roots.set(span, pitch);
      previousRoot = pitch;
    }
    return pitch;
  };
  // Roots in time order, each near the one before.
  for (const span of spans) rootOf(span);
  const above = (pc: number, root: number) => {
    const up = root + (((pc - root) % 12) + 12) % 12;
    return up <= range.high ? up : up - 12 >= range.low ? up - 12 : up;
  };
  const add = (tick: number, duration: number, pitch: number, accent: number) => {
    notes.push({ onset: tick, duration, pitch, velocity: clampVelocity(options.velocity + accent + random.int(7) - 3) });
    previous = pitch;
  };

  for (const bar of bars) {
    for (const hit of patternFor(bar)) {
      const tick = bar.start + hit.at;
      if (tick >= end || hit.at >= bar.ticks) continue;
      const span = chordAt(spans, tick);
      if (!span) continue;
      const root = rootOf(span);
      const next = chordAt(spans, span.end);
      const chord = span.chord;
      let pitch: number;
      let limit = span.end - tick;
      // A hit that falls on a chord change plays that chord's bass note, whatever the figure says.
      const tone = options.coverChanges && tick === span.start ? 'root' : hit.tone;
      switch (tone) {
        case 'root': pitch = root; break;
        case 'fifth': pitch = above((chord.root + (fifthOf(chord) ?? 7)) % 12, root); break;
        case 'third': pitch = above((chord.root + (thirdOf(chord) ?? 7)) % 12, root); break;
        case 'seventh': pitch = above((chord.root + (seventhOf(chord) ?? 12)) % 12, root); break;
        case 'octave': pitch = root + 12 <= range.high ? root + 12 : root; break;
        case 'approach':
          pitch = next && span.end - tick <= 12
            ? approachTo(rootOf(next), previous ?? root, range, random, voicedClasses(chord, next.chord))
              ?? leadIn(span, rootOf(next), previous ?? root, range, voicedClasses(chord, next.chord))
            : above((chord.root + (fifthOf(chord) ?? 7)) % 12, root);
          break;
        case 'next-root':
          if (next && span.end - tick <= 12) {
            pitch = rootOf(next);
            limit = next.end - tick;
          } else {
            pitch = root;
          }
          break;
      }
      add(tick, durationAtMost(Math.min(hit.duration, limit)), pitch, hit.accent ?? 0);
    }
  }
  if (options.coverChanges) {
    const onsets = new Set(notes.map((note) => note.onset));
    for (const span of spans) {
      if (onsets.has(span.start)) continue;
      const pitch = rootOf(span);
      notes.push({ onset: span.start, duration: durationAtMost(Math.min(span.end - span.start, 24)), pitch, velocity: clampVelocity(options.velocity) });
    }
  }
  return monophonic(notes);
}

/** For comping: the highest bass note that starts or sounds during a chord. */
export function highestBassDuring(bass: readonly Note[]): (span: HarmonySpan) => number | undefined {
  return (span) => {
    let highest: number | undefined;
    for (const note of bass) {
      if (note.onset < span.end && note.onset + note.duration > span.start) highest = Math.max(highest ?? 0, note.pitch);
    }
    return highest;
  };
}
