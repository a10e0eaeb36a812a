/**
 * Mood-labelled chord progressions (free-midi-chords): roman numerals in a major, minor or modal context, with the
 * moods their author gave them. Each progression is played in a few keys and tempi, one chord a bar (the last
 * chord held two bars when the count is odd, as its author's renderer does), repeated to at least eight bars, by a
 * keyboard, pad or string part over a bass line. How fast and how loud follows the moods: sad and tender ones
 * slow and soft, triumphant and joyful ones brisk.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { bassFigure, compFigure, type BassStyle, type CompStyle } from '../arranging/accompaniment-patterns.ts';
import { finishScore } from '../arranging/arrangement.ts';
import { BASS_RANGE, patternedBass } from '../arranging/bass-line.ts';
import { writeComping } from '../arranging/comping.ts';
import { parseRomanNumeral, type Chord, type HarmonySpan, type ScaleMode } from '../arranging/harmony.ts';
import { instrumentName } from '../../music/instruments.ts';
import { createRandom, seedFromString, type Random } from '../../music/random.ts';
import { barsOf, type Score } from '../../music/score.ts';
import type { VoicingOptions } from '../arranging/voicing.ts';
import type { SourceExample } from '../example.ts';

export const MOOD_FILE = 'parts/mood-chord-progressions.json';

export interface MoodProgression {
  index: number;
  /** "maj", "min" or "modal" (modal numerals are read against the major scale, as free-midi-chords does). */
  mode: string;
  numerals: string[];
  /** Lower case, without the file's non-mood tags ("new" marks recent additions, "cadence" a structure). */
  moods: string[];
}

export interface MoodProgressionSet {
  progressions: MoodProgression[];
  /** Numerals that could not be read, with how many progressions they cost. */
  unsupported: Map<string, number>;
  origin: string;
}

const NOT_MOODS = new Set(['new', 'cadence']);

export function scaleModeOf(mode: string): ScaleMode {
  return mode === 'min' ? 'minor' : 'major';
}

/** The chords of a progression in a key (tonic pitch class), or undefined when a numeral is unknown. */
export function progressionChords(progression: Pick<MoodProgression, 'mode' | 'numerals'>, tonic: number): Chord[] | undefined {
  const chords: Chord[] = [];
  for (const numeral of progression.numerals) {
    const chord = parseRomanNumeral(numeral, tonic, scaleModeOf(progression.mode));
    if (!chord) return undefined;
    chords.push(chord);
  }
  return chords;
}

export async function readMoodProgressions(dataDir: string): Promise<MoodProgressionSet> {
  const raw = JSON.parse(await readFile(path.join(dataDir, MOOD_FILE), 'utf8')) as {
    source?: string;
    progressions: Array<{ mode: string; roman: string[]; moods: string[] }>;
  };
  const progressions: MoodProgression[] = [];
  const unsupported = new Map<string, number>();
  raw.progressions.forEach((entry, index) => {
    const bad = entry.roman.find((numeral) => !parseRomanNumeral(numeral, 0, scaleModeOf(entry.mode)));
    if (bad !== undefined) {
      unsupported.set(bad, (unsupported.get(bad) ?? 0) + 1);
      return;
    }
    const moods = [...new Set(entry.moods.map((mood) => mood.toLowerCase()).filter((mood) => !NOT_MOODS.has(mood)))];
    progressions.push({ index, mode: entry.mode, numerals: entry.roman, moods });
  });
  return { progressions, unsupported, origin: raw.source ?? 'ldrolez/free-midi-chords (MIT)' };
}

const BRIGHT = new Set(['joyful', 'triumphant', 'excited', 'rebellious', 'empowered', 'playful', 'surprised']);
const CALM = new Set(['sad', 'tender', 'peaceful', 'lonely', 'relaxed', 'spiritual', 'romantic', 'nostalgic', 'dark', 'fearful', 'anguished']);

/** -1 (calm) .. +1 (bright): the share of bright moods minus the share of calm ones. */
export function moodEnergy(moods: readonly string[]): number {
  if (moods.length === 0) return 0;
  return moods.reduce((sum, mood) => sum + (BRIGHT.has(mood) ? 1 : CALM.has(mood) ? -1 : 0), 0) / moods.length;
}

interface Ensemble {
  name: string;
  program: number;
  comp: CompStyle[];
  voicing: VoicingOptions;
  bassProgram: number;
  bass: BassStyle[];
}

const TRIAD_KEYS: VoicingOptions = { low: 52, high: 76, voices: 4, rootless: false, center: 63, maxSpan: 14 };
const PAD_VOICING: VoicingOptions = { low: 52, high: 79, voices: 4, rootless: false, center: 65, maxSpan: 16 };
const STRING_VOICING: VoicingOptions = { low: 50, high: 79, voices: 4, rootless: false, center: 64, maxSpan: 19 };

/** Who plays, for calm and for bright progressions. */
function ensembles(energy: number, random: Random): Ensemble[] {
  const piano: Ensemble = { name: 'piano', program: 0, comp: energy > 0 ? ['even', 'arpeggio'] : ['arpeggio', 'ballad'], voicing: TRIAD_KEYS, bassProgram: 32, bass: energy > 0 ? ['pop'] : ['two-feel', 'sustain'] };
  const electricPiano: Ensemble = { name: 'electric piano', program: 4, comp: energy > 0 ? ['even', 'stab'] : ['ballad', 'arpeggio'], voicing: { ...TRIAD_KEYS, rootless: true }, bassProgram: 33, bass: energy > 0 ? ['pop', 'even'] : ['two-feel'] };
  const pads: Ensemble = { name: 'pads', program: random.pick([88, 89, 90, 94]), comp: ['sustain'], voicing: PAD_VOICING, bassProgram: energy > 0 ? 38 : 33, bass: energy > 0 ? ['even'] : ['sustain'] };
  const strings: Ensemble = { name: 'strings', program: energy > 0 ? 48 : 49, comp: ['sustain'], voicing: STRING_VOICING, bassProgram: 43, bass: ['sustain'] };
  return [piano, electricPiano, pads, strings];
}

function tempoFor(energy: number, random: Random): number {
  const [low, high] = energy > 0.25 ? [110, 140] : energy < -0.25 ? [60, 85] : [85, 110];
  return low + random.int(high - low + 1);
}

/** The chord timeline: one chord a bar, the last held for two when the count is odd, repeated to `minBars`. */
export function progressionTimeline(chords: readonly Chord[], barLength: number, minBars = 8): HarmonySpan[] {
  const lengths = chords.map((_, i) => (i === chords.length - 1 && chords.length % 2 === 1 ? 2 : 1));
  const cycle = lengths.reduce((sum, length) => sum + length, 0);
  const repeats = Math.max(1, Math.ceil(minBars / cycle));
  const spans: HarmonySpan[] = [];
  let bar = 0;
  for (let r = 0; r < repeats; r++) {
    chords.forEach((chord, i) => {
      spans.push({ start: bar * barLength, end: (bar + lengths[i]) * barLength, chord });
      bar += lengths[i];
    });
  }
  return spans;
}

/** One realisation of a progression: key, tempo, ensemble and rhythm chosen by `random`. */
export function arrangeProgression(progression: MoodProgression, tonic: number, random: Random): Score | undefined {
  const chords = progressionChords(progression, tonic);
  if (!chords) return undefined;
  const energy = moodEnergy(progression.moods);
  const timeSignatures = [{ tick: 0, numerator: 4, denominator: 4 }];
  const spans = progressionTimeline(chords, 48);
  const end = spans[spans.length - 1].end;
  const bars = barsOf({ timeSignatures }, end);
  const ensemble = random.pick(ensembles(energy, random));
  const compStyle = random.pick(ensemble.comp);
  const bassStyle = random.pick(ensemble.bass);
  const loudness = energy < -0.25 ? 0.8 : energy > 0.25 ? 1.1 : 0.95;
  // Arpeggios and most bass lines keep one figure throughout, as a player settles into a pattern.
  const compVariation = random.int(8);
  const bassVariation = random.chance(0.7) ? random.int(4) : undefined;
  const bass = patternedBass(spans, bars, (bar) => bassFigure(bassStyle, bar, random, bassVariation), {
    range: BASS_RANGE, velocity: Math.round(80 * loudness), random, coverChanges: true,
  });
  const comp = writeComping(spans, bars, (bar) => compFigure(compStyle, bar, random, compStyle === 'arpeggio' ? compVariation : undefined), {
    voicing: ensemble.voicing,
    random,
    loudness,
    bass,
    coverChanges: compStyle === 'sustain' || compStyle === 'ballad' ? 'sustain' : 12,
  });
  return finishScore({
    tempos: [{ tick: 0, bpm: tempoFor(energy, random) }],
    timeSignatures,
    tracks: [
      { program: ensemble.program, isDrum: false, name: instrumentName(ensemble.program), notes: comp },
      { program: ensemble.bassProgram, isDrum: false, name: instrumentName(ensemble.bassProgram), notes: bass },
    ],
  }, end);
}

/** Realisations per progression. */
const MIN_TAKES = 2;
const MAX_TAKES = 4;

/** Every progression in 2-4 keys, tempi and ensembles (seeded per progression). */
export async function* moodProgressions(dataDir: string, options: { limit?: number; seed: number }): AsyncGenerator<SourceExample> {
  const { progressions, origin } = await readMoodProgressions(dataDir);
  let count = 0;
  for (const progression of progressions) {
    const random = createRandom(seedFromString(`${options.seed}:mood-progressions:${progression.index}`));
    const takes = MIN_TAKES + random.int(MAX_TAKES - MIN_TAKES + 1);
    const tonics = random.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).slice(0, takes);
    for (const tonic of tonics) {
      const score = arrangeProgression(progression, tonic, random);
      if (!score) continue;
      yield {
        source: 'mood-progressions',
        songId: `mood-progressions/${progression.index}`,
        origin,
        score,
        labels: { styles: [], moods: progression.moods },
        assembled: false,
      };
      if (++count === options.limit) return;
    }
  }
}
