/**
 * Arrangements for styles that no song in the shared data is labelled with, put together from real parts:
 *
 * - lo-fi hip hop: a 4- or 8-bar stretch of a jazz standard's changes on electric piano (rootless voicings with
 *   ninths, a lazy figure looped), a laid-back bass, and a hip-hop beat a drummer played for the Groove MIDI Dataset,
 *   retimed to 70-90 BPM and played softer;
 * - house, techno, trap, drum and bass: a drum-machine pattern of that style from the tidal patterns, a synth bass
 *   in the style's figure, pad chords from a mood progression and, half the time, an arpeggiating synth lead.
 *
 * Chiptune is left out: the VGMusic collection covers it with real game music. Every example is marked assembled,
 * so that the builder can hold such examples to a share of the tokens (see assembledExampleCount).
 */
import { bassFigure, compFigure, type BassStyle, type CompStyle } from '../arranging/accompaniment-patterns.ts';
import { finishScore } from '../arranging/arrangement.ts';
import { BASS_RANGE, patternedBass, SUB_BASS_RANGE, type BassRange } from '../arranging/bass-line.ts';
import { writeComping } from '../arranging/comping.ts';
import type { HarmonySpan } from '../arranging/harmony.ts';
import { instrumentName } from '../../music/instruments.ts';
import { createRandom, seedFromString, type Random } from '../../music/random.ts';
import { barsOf, type Score, type Track } from '../../music/score.ts';
import type { VoicingOptions } from '../arranging/voicing.ts';
import type { Labels, SourceExample } from '../example.ts';
import { GROOVE_ORIGIN, grooveTrack, loadGrooveClips, type GrooveClip } from './groove-clips.ts';
import { chartTimeline, readJazzCharts, type JazzChart } from './jazz-charts.ts';
import { progressionChords, progressionTimeline, readMoodProgressions, type MoodProgression } from './mood-progressions.ts';
import { drumStyleOf, patternFamily } from './tidal-drums.ts';
import { patternNotes, readTidalPatterns, type TidalPattern } from './tidal-patterns.ts';

export type AssembledStyle = 'lo-fi' | 'house' | 'techno' | 'trap' | 'drum and bass';

/**
 * The order examples come in: lo-fi a third of them, each electronic style a sixth, interleaved so that a builder
 * that stops early still has every style.
 */
export const STYLE_CYCLE: readonly AssembledStyle[] = ['lo-fi', 'house', 'trap', 'lo-fi', 'techno', 'drum and bass'];

/** Examples made when the builder sets no limit (about 6.4 M tokens); pass assembledExampleCount(...) instead. */
export const DEFAULT_ASSEMBLED_EXAMPLES = 6000;
/** Mean tokens of one assembled example (8 bars, three or four parts): 1,073 over 1,800 examples of seed 1. */
export const ASSEMBLED_TOKENS_PER_EXAMPLE = 1070;

/**
 * How many assembled examples keep their tokens at most `maxShare` of all tokens, given the tokens of the real
 * examples: assembled / (real + assembled) <= maxShare.
 */
export function assembledExampleCount(realTokens: number, maxShare: number, tokensPerExample = ASSEMBLED_TOKENS_PER_EXAMPLE): number {
  if (!(maxShare > 0) || maxShare >= 1 || !(realTokens > 0)) return 0;
  return Math.floor(((maxShare / (1 - maxShare)) * realTokens) / tokensPerExample + 1e-9);
}

interface ElectronicStyle {
  labels: Pick<Labels, 'genre' | 'styles'>;
  tempo: [number, number];
  /** Bars each chord lasts. */
  barsPerChord: number;
  bass: BassStyle;
  bassRange: BassRange;
  pad: CompStyle[];
  lead: CompStyle;
  /** Minor and modal progressions suit the darker styles. */
  darkOnly: boolean;
}

const ELECTRONIC: Record<Exclude<AssembledStyle, 'lo-fi'>, ElectronicStyle> = {
  house: { labels: { genre: 'electronic', styles: ['house', 'edm'] }, tempo: [120, 128], barsPerChord: 1, bass: 'house', bassRange: BASS_RANGE, pad: ['sustain', 'sustain', 'stab'], lead: 'arp16', darkOnly: false },
  techno: { labels: { genre: 'electronic', styles: ['techno', 'edm'] }, tempo: [125, 135], barsPerChord: 2, bass: 'techno', bassRange: BASS_RANGE, pad: ['sustain'], lead: 'arp16', darkOnly: true },
  trap: { labels: { genre: 'hip hop', styles: ['trap', 'hip hop'] }, tempo: [130, 150], barsPerChord: 1, bass: 'trap', bassRange: SUB_BASS_RANGE, pad: ['sustain'], lead: 'arpeggio', darkOnly: true },
  'drum and bass': { labels: { genre: 'electronic', styles: ['drum and bass', 'edm'] }, tempo: [160, 178], barsPerChord: 2, bass: 'dnb', bassRange: SUB_BASS_RANGE, pad: ['sustain'], lead: 'arpeggio', darkOnly: true },
};

const PAD_PROGRAMS = [88, 89, 90, 91, 92, 94, 95];
const PAD_VOICING: VoicingOptions = { low: 53, high: 79, voices: 4, rootless: false, center: 65, maxSpan: 16 };
const LEAD_VOICING: VoicingOptions = { low: 64, high: 88, voices: 4, rootless: false, center: 74, maxSpan: 14 };
const LOFI_VOICING: VoicingOptions = { low: 50, high: 77, voices: 4, rootless: true, center: 63, maxSpan: 16 };
const LOFI_TEMPO: [number, number] = [70, 90];
const BARS = 8;

function pick(low: number, high: number, random: Random): number {
  return low + random.int(high - low + 1);
}

/**
 * A stretch of a chart for a lo-fi loop: 4 or 8 bars from a bar that is a multiple of four, at most two chords a
 * bar and none shorter than half a bar, at least two chords; shifted to start at 0 and looped to eight bars.
 */
export function loopFromChart(chart: JazzChart, random: Random): HarmonySpan[] | undefined {
  if (chart.meter[0] !== 4 || chart.meter[1] !== 4) return undefined;
  const spans = chartTimeline(chart, 64);
  const totalBars = Math.min(chart.bars.length, 64);
  const length = random.pick([4, 8]);
  const starts: number[] = [];
  for (let bar = 0; bar + length <= totalBars; bar += 4) starts.push(bar);
  for (const startBar of random.shuffle(starts)) {
    const from = startBar * 48;
    const to = from + length * 48;
    const inside = spans
      .filter((span) => span.end > from && span.start < to)
      .map((span) => ({ chord: span.chord, start: Math.max(span.start, from) - from, end: Math.min(span.end, to) - from }));
    if (inside.length < 2 || inside.some((span) => span.end - span.start < 24) || inside[0].start !== 0) continue;
    const looped: HarmonySpan[] = [];
    for (let offset = 0; offset < BARS * 48; offset += length * 48) looped.push(...inside.map((span) => ({ ...span, start: span.start + offset, end: span.end + offset })));
    return looped;
  }
  return undefined;
}

export interface Assembled {
  score: Score;
  labels: Labels;
  songId: string;
  origin: string;
}

export function arrangeLofi(charts: readonly JazzChart[], grooves: readonly GrooveClip[], chartOrigin: string, random: Random): Assembled | undefined {
  if (grooves.length === 0 || charts.length === 0) return undefined;
  let spans: HarmonySpan[] | undefined;
  let chart: JazzChart | undefined;
  for (let attempt = 0; attempt < 20 && !spans; attempt++) {
    chart = random.pick(charts);
    spans = loopFromChart(chart, random);
  }
  if (!spans || !chart) return undefined;
  const groove = random.pick(grooves);
  const timeSignatures = [{ tick: 0, numerator: 4, denominator: 4 }];
  const end = BARS * 48;
  const bars = barsOf({ timeSignatures }, end);
  const bpm = groove.bpm >= LOFI_TEMPO[0] && groove.bpm <= LOFI_TEMPO[1] ? groove.bpm : pick(LOFI_TEMPO[0], LOFI_TEMPO[1], random);
  const bassProgram = random.pick([32, 33, 33]);
  const bassFigureIndex = random.int(8);
  const bass = patternedBass(spans, bars, (bar) => bassFigure('lofi', bar, random, bassFigureIndex), {
    range: BASS_RANGE, velocity: 74, random, coverChanges: true,
  });
  const compFigureIndex = random.int(8);
  const keys = writeComping(spans, bars, (bar) => compFigure('lofi', bar, random, compFigureIndex), {
    voicing: { ...LOFI_VOICING, voices: random.pick([4, 5]) },
    random,
    loudness: 0.85,
    bass,
    coverChanges: 'sustain',
  });
  const tracks: Track[] = [
    { program: 4, isDrum: false, name: instrumentName(4), notes: keys },
    { program: bassProgram, isDrum: false, name: instrumentName(bassProgram), notes: bass },
    grooveTrack(groove, bars, random.int(groove.bars.length), 0.8),
  ];
  return {
    score: finishScore({ tempos: [{ tick: 0, bpm }], timeSignatures, tracks }, end),
    labels: { genre: 'hip hop', styles: ['lo-fi', 'hip hop'], moods: [] },
    // The song id of the groove source's own copy of this performance: both land in the same split.
    songId: `groove/${groove.performance}`,
    origin: `${GROOVE_ORIGIN} + ${chartOrigin}`,
  };
}

export function arrangeElectronic(
  style: Exclude<AssembledStyle, 'lo-fi'>,
  progressions: readonly MoodProgression[],
  patterns: readonly TidalPattern[],
  origins: { moods: string; drums: string },
  random: Random,
): Assembled | undefined {
  const spec = ELECTRONIC[style];
  const drums = patterns.filter((pattern) => drumStyleOf(pattern.name).styles[0] === style);
  const usable = spec.darkOnly ? progressions.filter((p) => p.mode !== 'maj') : progressions;
  if (drums.length === 0 || usable.length === 0) return undefined;
  const pattern = random.pick(drums);
  const progression = random.pick(usable);
  const chords = progressionChords(progression, random.int(12));
  if (!chords) return undefined;
  const barLength = 48 * spec.barsPerChord;
  const spans = progressionTimeline(chords, barLength, Math.ceil(BARS / spec.barsPerChord));
  const end = spans[spans.length - 1].end;
  const timeSignatures = [{ tick: 0, numerator: 4, denominator: 4 }];
  const bars = barsOf({ timeSignatures }, end);
  const passTicks = pattern.bars * 48;
  const drumNotes = Array.from({ length: Math.ceil(end / passTicks) }, (_, i) => patternNotes(pattern, i * passTicks, () => random.int(7) - 3)).flat();

  const bassProgram = random.pick([38, 39]);
  const bassFigureIndex = random.int(8);
  const bass = patternedBass(spans, bars, (bar) => bassFigure(spec.bass, bar, random, bassFigureIndex), {
    // Every figure plays in every bar, and chords change only on bar lines: no extra root on the downbeat.
    range: spec.bassRange, velocity: 96, random, coverChanges: false,
  });
  const padStyle = random.pick(spec.pad);
  const padFigureIndex = random.int(8);
  const padProgram = random.pick(PAD_PROGRAMS);
  const pad = writeComping(spans, bars, (bar) => compFigure(padStyle, bar, random, padFigureIndex), {
    voicing: PAD_VOICING, random, loudness: padStyle === 'stab' ? 1 : 0.9, bass, coverChanges: 'sustain',
  });
  const tracks: Track[] = [
    { program: padProgram, isDrum: false, name: instrumentName(padProgram), notes: pad },
    { program: bassProgram, isDrum: false, name: instrumentName(bassProgram), notes: bass },
    { program: 0, isDrum: true, name: 'drums', notes: drumNotes },
  ];
  if (random.chance(0.5)) {
    const leadProgram = random.pick([80, 81]);
    const leadFigureIndex = random.int(8);
    const lead = writeComping(spans, bars, (bar) => compFigure(spec.lead, bar, random, leadFigureIndex), {
      voicing: LEAD_VOICING, random, loudness: 0.9,
    });
    tracks.push({ program: leadProgram, isDrum: false, name: instrumentName(leadProgram), notes: lead });
  }
  return {
    score: finishScore({ tempos: [{ tick: 0, bpm: pick(spec.tempo[0], spec.tempo[1], random) }], timeSignatures, tracks }, end),
    labels: { ...spec.labels, styles: [...(spec.labels.styles ?? [])], moods: progression.moods },
    // Grouped with the same progression's plain realisations, so that its chords stay in one split.
    songId: `mood-progressions/${progression.index}`,
    origin: `${origins.drums} (${patternFamily(pattern.name)}) + ${origins.moods}`,
  };
}

/** Assembled examples, styles interleaved (STYLE_CYCLE), `limit` of them or DEFAULT_ASSEMBLED_EXAMPLES. */
export async function* assembled(dataDir: string, options: { limit?: number; seed: number }): AsyncGenerator<SourceExample> {
  const [{ charts, origin: chartOrigin }, grooves, moods, drums] = await Promise.all([
    readJazzCharts(dataDir),
    loadGrooveClips(dataDir, (row) => row.style.split('/')[0] === 'hiphop' && row.time_signature === '4-4'),
    readMoodProgressions(dataDir),
    readTidalPatterns(dataDir),
  ]);
  const total = options.limit ?? DEFAULT_ASSEMBLED_EXAMPLES;
  let made = 0;
  for (let n = 0; made < total && n < total * 2; n++) {
    const style = STYLE_CYCLE[n % STYLE_CYCLE.length];
    const random = createRandom(seedFromString(`${options.seed}:assembled:${n}`));
    const result = style === 'lo-fi'
      ? arrangeLofi(charts, grooves, chartOrigin, random)
      : arrangeElectronic(style, moods.progressions, drums.patterns, { moods: moods.origin, drums: drums.origin }, random);
    if (!result) continue;
    yield { source: 'assembled', songId: result.songId, origin: result.origin, score: result.score, labels: result.labels, assembled: true };
    made += 1;
  }
}
