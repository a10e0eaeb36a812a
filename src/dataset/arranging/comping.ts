/**
 * Accompaniment from a chord timeline: a rhythm per bar (hits with a length and a loudness), each hit sounding the
 * voicing of the chord in force, voicings led from one chord to the next. A hit may anticipate the next bar's chord
 * (the swing "push" on the and of four), and a hit may sound a single voice of the chord (arpeggios).
 */
import { chordAt, type HarmonySpan } from './harmony.ts';
import { clampVelocity, cleanNotes, durationAtMost } from './arrangement.ts';
import { highestBassDuring } from './bass-line.ts';
import { voiceChord, type VoicingOptions } from './voicing.ts';
import type { Random } from '../../music/random.ts';
import type { Bar, Note } from '../../music/score.ts';

export interface CompHit {
  /** Ticks from the bar start. */
  at: number;
  duration: number;
  velocity: number;
  /** Sounds the next bar's chord early, tied over the bar line (the next bar's downbeat hit is then left out). */
  anticipate?: boolean;
  /** Hold until the chord changes (pads, ballads) instead of `duration`. */
  sustain?: boolean;
  /** Play only this voice of the voicing (counted from the bottom, wrapping), for broken chords. */
  voice?: number;
}

export interface CompOptions {
  voicing: VoicingOptions;
  random: Random;
  /** Multiplies every hit's velocity (0.6 for a mellow part). */
  loudness?: number;
  /**
   * The bass line under the part: voicings stay above its highest note during each chord, and a push is left out
   * where the anticipated chord would rub a minor ninth against the bass note still sounding.
   */
  bass?: readonly Note[];
  /** A chord change that no hit falls on gets a hit of this length (or held to the next change with 'sustain'). */
  coverChanges?: number | 'sustain';
}

/** Notes of an accompaniment part. */
export function writeComping(
  spans: readonly HarmonySpan[],
  bars: readonly Bar[],
  patternFor: (bar: Bar) => readonly CompHit[],
  options: CompOptions,
): Note[] {
  const { random } = options;
  const loudness = options.loudness ?? 1;
  const end = spans.length ? spans[spans.length - 1].end : 0;
  const bassUnder = options.bass ? highestBassDuring(options.bass) : undefined;
  const rubsAgainstBass = (pitches: readonly number[], tick: number) => {
    const under = options.bass?.filter((note) => note.onset <= tick && note.onset + note.duration > tick).pop();
    return under !== undefined && pitches.some((pitch) => (pitch - under.pitch + 120) % 12 === 1);
  };
  // Voiced in time order, each from the one before, whatever order the hits reach them in.
  const voicings = new Map<HarmonySpan, number[]>();
  let previous: number[] | undefined;
  for (const span of spans) {
    previous = voiceChord(span.chord, previous, options.voicing, bassUnder?.(span));
    voicings.set(span, previous);
  }
  const voicingOf = (span: HarmonySpan) => voicings.get(span)!;
  const notes: Note[] = [];
  const struck = new Set<HarmonySpan>();
  const strike = (span: HarmonySpan, tick: number, length: number, velocity: number, voice?: number) => {
    const voicing = voicingOf(span);
    const pitches = voice === undefined ? voicing : [voicing[voice % voicing.length]];
    const duration = durationAtMost(Math.max(2, Math.min(length, span.end - tick)));
    for (const pitch of pitches) notes.push({ onset: tick, duration, pitch, velocity: clampVelocity(velocity * loudness + random.int(7) - 3) });
    struck.add(span);
  };

  let tiedInto = -1;
  for (const bar of bars) {
    const barEnd = bar.start + bar.ticks;
    for (const hit of patternFor(bar)) {
      const tick = bar.start + hit.at;
      if (tick >= end || hit.at >= bar.ticks) continue;
      if (hit.at === 0 && tiedInto === bar.start) continue;
      const here = chordAt(spans, tick);
      if (!here) continue;
      const coming = hit.anticipate ? chordAt(spans, barEnd) : undefined;
      if (coming && coming !== here && !rubsAgainstBass(voicingOf(coming), tick)) {
        // The pushed chord rings over the bar line into its own span.
        const length = hit.sustain ? coming.end - tick : hit.duration;
        const voicing = voicingOf(coming);
        const pitches = hit.voice === undefined ? voicing : [voicing[hit.voice % voicing.length]];
        const duration = durationAtMost(Math.max(2, Math.min(length, coming.end - tick)));
        for (const pitch of pitches) notes.push({ onset: tick, duration, pitch, velocity: clampVelocity(hit.velocity * loudness + random.int(7) - 3) });
        struck.add(coming);
        tiedInto = barEnd;
        continue;
      }
      strike(here, tick, hit.sustain ? here.end - tick : hit.duration, hit.velocity, hit.voice);
    }
  }
  if (options.coverChanges !== undefined) {
    for (const span of spans) {
      if (struck.has(span)) continue;
      const length = options.coverChanges === 'sustain' ? span.end - span.start : options.coverChanges;
      strike(span, span.start, length, 64);
    }
  }
  return cleanNotes(notes);
}
