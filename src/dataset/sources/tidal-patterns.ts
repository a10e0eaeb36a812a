/**
 * The drum-machine patterns of lvm/tidal-drum-patterns: per voice, beats separated by "|", each beat a group of
 * equal steps ("t" hit, "~" rest). A voice's steps span the whole pattern: 16 steps are a 4/4 bar of sixteenths,
 * 32 and 64 are two and four such bars; 12 steps are a 4/4 bar of eighth-note triplets (the swing, shuffle and
 * blues patterns), 24 two of them. The "ac" row is the drum machine's accent, not a drum.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { TICKS_PER_QUARTER, type Note } from '../../music/score.ts';

export interface TidalPattern {
  name: string;
  /** Tempo in BPM when the file gives one (its "bps" is beats per second), else undefined. */
  bpm?: number;
  /** Hit step indexes per voice, over the whole pattern. */
  voices: Record<string, number[]>;
  steps: number;
  /** Ticks per step: 3 (sixteenths) or 4 (eighth-note triplets). */
  stepTicks: number;
  bars: number;
}

export interface TidalPatternSet {
  patterns: TidalPattern[];
  skipped: Map<string, string[]>;
  origin: string;
}

export const TIDAL_FILE = 'parts/tidal-drum-patterns.json';

/** Tidal sample names to General MIDI drum keys. */
export const TIDAL_TO_GM: Readonly<Record<string, number>> = {
  bd: 36, sn: 38, ch: 42, oh: 46, cp: 39, rm: 37, cb: 56, cow: 56, lt: 45, mt: 47, ht: 50, cy: 49, cl: 75, sh: 70,
};

const STEPS_PER_BAR: ReadonlyArray<readonly [number, number]> = [[16, 3], [12, 4]];

/** Names of fills rather than grooves: repeating them for bars makes no groove. */
const FILL_NAME = /^(Drumroll|End)\d/;

/** The steps of one voice string, or undefined when a beat is not a plain group ("[", nested subdivisions). */
export function voiceSteps(text: string): boolean[] | undefined {
  if (/[[\]]/.test(text)) return undefined;
  const steps: boolean[] = [];
  for (const beat of text.split('|')) {
    for (const step of beat.trim().split(/\s+/)) {
      if (step !== 't' && step !== '~') return undefined;
      steps.push(step === 't');
    }
  }
  return steps;
}

export function parseTidalPattern(name: string, bps: number | null | undefined, rawVoices: Record<string, string>): TidalPattern | string {
  if (FILL_NAME.test(name)) return 'a fill, not a groove';
  const voices: Record<string, number[]> = {};
  let steps = -1;
  for (const [voice, text] of Object.entries(rawVoices)) {
    const parsed = voiceSteps(text);
    if (!parsed) return 'nested subdivisions the grid cannot hold';
    if (steps >= 0 && parsed.length !== steps) return 'voices of different lengths';
    steps = parsed.length;
    if (voice !== 'ac' && TIDAL_TO_GM[voice] === undefined) return `unknown voice ${voice}`;
    voices[voice] = parsed.flatMap((hit, i) => (hit ? [i] : []));
  }
  const layout = STEPS_PER_BAR.find(([perBar]) => steps > 0 && steps % perBar === 0);
  if (!layout) return `${steps} steps do not make whole bars`;
  if (!Object.entries(voices).some(([voice, hits]) => voice !== 'ac' && hits.length > 0)) return 'no hits';
  // bps 1 is the file's default, not a tempo.
  const bpm = bps && bps !== 1 ? bps * 60 : undefined;
  return { name, bpm, voices, steps, stepTicks: layout[1], bars: steps / layout[0] };
}

export async function readTidalPatterns(dataDir: string): Promise<TidalPatternSet> {
  const raw = JSON.parse(await readFile(path.join(dataDir, TIDAL_FILE), 'utf8')) as {
    source?: string;
    patterns: Array<{ name: string; bps?: number | null; voices: Record<string, string> }>;
  };
  const patterns: TidalPattern[] = [];
  const skipped = new Map<string, string[]>();
  for (const entry of raw.patterns) {
    const parsed = parseTidalPattern(entry.name, entry.bps, entry.voices);
    if (typeof parsed === 'string') skipped.set(parsed, [...(skipped.get(parsed) ?? []), entry.name]);
    else patterns.push(parsed);
  }
  return { patterns, skipped, origin: raw.source ?? 'lvm/tidal-drum-patterns (GPL-3.0)' };
}

/** Loudness of each voice before accents: backbeat and kick strong, hats lighter off the beat. */
const BASE_VELOCITY: Readonly<Record<string, number>> = {
  bd: 104, sn: 98, cp: 94, rm: 82, ch: 74, oh: 82, cy: 100, lt: 92, mt: 92, ht: 90, cb: 82, cow: 82, cl: 84, sh: 62,
};

/**
 * One pass of the pattern as drum notes from tick `start`. Accented steps (the "ac" row) play louder and the rest a
 * little softer; without an accent row, hats are louder on the beat than between beats.
 */
export function patternNotes(pattern: TidalPattern, start: number, jitter: () => number): Note[] {
  const accents = new Set(pattern.voices.ac ?? []);
  const hasAccents = accents.size > 0;
  const stepsPerBeat = TICKS_PER_QUARTER / pattern.stepTicks;
  const notes: Note[] = [];
  for (const [voice, hits] of Object.entries(pattern.voices)) {
    if (voice === 'ac') continue;
    for (const step of hits) {
      let velocity = BASE_VELOCITY[voice] ?? 90;
      if (hasAccents) velocity += accents.has(step) ? 18 : -10;
      else if ((voice === 'ch' || voice === 'sh') && step % stepsPerBeat !== 0) velocity -= 12;
      notes.push({
        onset: start + step * pattern.stepTicks,
        duration: pattern.stepTicks,
        pitch: TIDAL_TO_GM[voice],
        velocity: Math.max(1, Math.min(127, Math.round(velocity + jitter()))),
      });
    }
  }
  return notes;
}
