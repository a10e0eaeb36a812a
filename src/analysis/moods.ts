/**
 * Mood words for a piece, from what its analysis measures and from its title, and from human valence/arousal labels
 * where a source has them (VGMIDI). The rules are a small table, documented with their measured agreement in
 * docs/MOODS.md. Every word is a key of MOODS in src/text/words.ts, so captions and prompts share it.
 */
import type { Analysis } from './analysis.ts';
import { DRUMS } from '../music/score.ts';

export interface MoodLabels {
  title?: string;
  /** Moods the source states; when present, the analysis does not add its own valence words. */
  moods?: readonly string[];
  /** Human ratings in -1..1 (VGMIDI); when present, they replace the inferred valence and arousal. */
  valence?: number;
  arousal?: number;
}

/** Signs of valence (+1 positive, -1 negative) and arousal (+1 high, -1 low); null where nothing tells. */
export interface ValenceArousal {
  valence: 1 | -1 | null;
  arousal: 1 | -1 | null;
}

/**
 * Arousal is high when activity reaches this value. Activity is the pitched notes per second divided by the mean
 * number of notes sounding (about one over the mean note length in seconds, so it does not grow with the number of
 * parts or voices), scaled by the tempo relative to REFERENCE_BPM: short notes and a fast beat both raise it, and a
 * ballad of long notes stays low however many tracks it has. One threshold, a round number chosen on VGMIDI's labelled
 * pieces; 1.75 to 2.25 agree nearly as well (docs/MOODS.md).
 */
export const HIGH_AROUSAL_ACTIVITY = 2;
export const REFERENCE_BPM = 110;
/** With no pitched part (a drum groove), arousal comes from the tempo alone. */
export const HIGH_AROUSAL_DRUMS_BPM = 110;
const LOUD_VELOCITY = 90;
const SOFT_VELOCITY = 80;
/** A minor piece whose highest note is at most C5 sits low and sounds dark. */
const LOW_REGISTER_TOP = 72;
/** Below this key-profile correlation, the tonality is unclear. */
const UNCLEAR_KEY_CONFIDENCE = 0.7;

/** Pitched notes per second per sounding note, scaled by tempo: what HIGH_AROUSAL_ACTIVITY is compared with. */
export function activity(analysis: Analysis): number {
  if (analysis.seconds <= 0 || analysis.polyphony <= 0) return 0;
  const pitchedNotes = analysis.instruments.filter((instrument) => instrument.id !== DRUMS).reduce((sum, instrument) => sum + instrument.notes, 0);
  return (pitchedNotes / analysis.seconds / analysis.polyphony) * (analysis.bpm / REFERENCE_BPM);
}

/**
 * Valence from the mode (major positive, minor negative); arousal from activity. A drum groove alone is high
 * arousal from HIGH_AROUSAL_DRUMS_BPM up and says nothing below it (a slow groove is not "calm").
 */
export function inferValenceArousal(analysis: Analysis): ValenceArousal {
  const valence = analysis.key ? (analysis.key.mode === 'major' ? 1 : -1) : null;
  const hasPitched = analysis.instruments.some((instrument) => instrument.id !== DRUMS);
  let arousal: 1 | -1 | null = null;
  if (hasPitched) arousal = activity(analysis) >= HIGH_AROUSAL_ACTIVITY ? 1 : -1;
  else if (analysis.hasDrums && analysis.bpm >= HIGH_AROUSAL_DRUMS_BPM) arousal = 1;
  return { valence, arousal };
}

/** Mood words for a valence/arousal sign pair: the four quadrants, or one axis's word when the other is unknown. */
function quadrantMoods({ valence, arousal }: ValenceArousal): string[] {
  if (arousal === null) return valence === null ? [] : valence > 0 ? ['happy'] : ['sad'];
  if (valence === null) return arousal > 0 ? ['energetic'] : ['calm'];
  if (valence > 0) return arousal > 0 ? ['happy', 'energetic'] : ['calm', 'peaceful'];
  return arousal > 0 ? ['tense', 'dark'] : ['sad', 'melancholic'];
}

/** Human ratings in -1..1 as mood words; a rating within 0.25 of zero counts as no rating for its axis. */
export function moodsFromValenceArousal(valence: number, arousal: number): string[] {
  const sign = (value: number) => (value >= 0.25 ? 1 : value <= -0.25 ? -1 : null);
  return quadrantMoods({ valence: sign(valence), arousal: sign(arousal) });
}

/** Words in a title and the mood each makes obvious (whole words, lower case). */
const TITLE_MOODS: ReadonlyArray<[RegExp, string]> = [
  [/\b(boss|battle|fight|vs)\b/, 'intense'],
  [/\b(victory|fanfare|triumph)\b/, 'triumphant'],
  [/\b(castle|dungeon|lair)\b/, 'dark'],
  [/\b(cave|caves|cavern|caverns|mystery|mysterious)\b/, 'mysterious'],
  [/\b(haunted|ghost|ghosts|graveyard|cemetery|spooky)\b/, 'spooky'],
  [/\b(town|village|peaceful)\b/, 'peaceful'],
  [/\b(sad|sadness|sorrow|tears|requiem|lament|game over)\b/, 'sad'],
  [/\b(happy|joy)\b/, 'happy'],
  [/\b(love|romance)\b/, 'romantic'],
  [/\b(lullaby|sleep)\b/, 'calm'],
];

export function moodsFromTitle(title: string): string[] {
  const text = title.toLowerCase().replace(/[_-]+/g, ' ');
  return TITLE_MOODS.filter(([pattern]) => pattern.test(text)).map(([, mood]) => mood);
}

const has = (analysis: Analysis, ids: readonly number[]) => analysis.instruments.some((instrument) => ids.includes(instrument.id));
const hasFamily = (analysis: Analysis, family: string) => analysis.families.includes(family);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const TIMPANI_OR_HIT = [47, 55];
/** Pads, electric pianos, celesta, music box, vibraphone, harp: the soft-focus sounds. */
const DREAMY_SOUNDS = [4, 5, 8, 10, 11, 46, ...range(88, 95)];
/** Violin, cello, string ensembles, saxophones, nylon guitar: the sounds of a slow love theme. */
const ROMANTIC_LEADS = [24, 40, 42, 48, 49, 64, 65, 66];

/**
 * Mood words in rule order, without repeats (docs/MOODS.md has the table):
 * 1. the valence/arousal quadrant: human labels when given; inferred ones unless the source states moods;
 * 2. instrument and loudness colour: epic, dreamy, romantic, hopeful, dark, mysterious;
 * 3. title words.
 */
export function inferMoods(analysis: Analysis, labels: MoodLabels = {}): string[] {
  const human = labels.valence !== undefined && labels.arousal !== undefined;
  const stated = (labels.moods?.length ?? 0) > 0;
  const inferred = inferValenceArousal(analysis);
  const moods: string[] = [];
  if (human) moods.push(...moodsFromValenceArousal(labels.valence!, labels.arousal!));
  else if (!stated) moods.push(...quadrantMoods(inferred));

  const high = inferred.arousal === 1;
  const low = inferred.arousal === -1;
  const minor = analysis.key?.mode === 'minor';
  const major = analysis.key?.mode === 'major';
  const orchestra = (hasFamily(analysis, 'strings') || hasFamily(analysis, 'ensemble')) && hasFamily(analysis, 'brass');
  if (orchestra && (has(analysis, TIMPANI_OR_HIT) || analysis.hasDrums) && high && analysis.meanVelocity >= LOUD_VELOCITY) moods.push('epic');
  if (has(analysis, DREAMY_SOUNDS) && low && analysis.meanVelocity < SOFT_VELOCITY) moods.push('dreamy');
  if (major && low && has(analysis, ROMANTIC_LEADS) && !analysis.hasDrums) moods.push('romantic');
  if (major && high && orchestra) moods.push('hopeful');
  if (minor && analysis.pitchRange && analysis.pitchRange.high <= LOW_REGISTER_TOP) moods.push('dark');
  if (minor && low && analysis.keyConfidence < UNCLEAR_KEY_CONFIDENCE) moods.push('mysterious');
  if (labels.title) moods.push(...moodsFromTitle(labels.title));
  return [...new Set(moods)];
}
