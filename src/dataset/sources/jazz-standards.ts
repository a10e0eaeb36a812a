/**
 * Jazz standards played from their chord charts: a rhythm section for one chorus of each chart. Piano or electric
 * piano comps with rootless voicings in the feel's rhythm (Charleston figures and pushes for swing, the clave for
 * bossa nova, held chords for ballads), a bass walks or plays the feel's pattern, and where the Groove MIDI Dataset
 * has a real drummer playing that feel in that meter near that tempo, his groove plays along at the chart's tempo.
 */
import { bassFigure, compFigure, type BassStyle, type CompStyle } from '../arranging/accompaniment-patterns.ts';
import { BASS_RANGE, patternedBass, walkingBass } from '../arranging/bass-line.ts';
import { finishScore } from '../arranging/arrangement.ts';
import { writeComping } from '../arranging/comping.ts';
import { instrumentName } from '../../music/instruments.ts';
import { createRandom, seedFromString, type Random } from '../../music/random.ts';
import { barsOf, type Score, type Track } from '../../music/score.ts';
import type { VoicingOptions } from '../arranging/voicing.ts';
import type { SourceExample } from '../example.ts';
import { GROOVE_ORIGIN, grooveTrack, loadGrooveClips, type GrooveClip } from './groove-clips.ts';
import { chartTimeline, readJazzCharts, type JazzChart } from './jazz-charts.ts';

export interface Feel {
  styles: string[];
  tempo: [number, number];
  comp: CompStyle;
  bass: BassStyle | 'walking';
  /** Comping instruments to choose from (GM programs). */
  instruments: number[];
  bassProgram: number;
  /** Groove MIDI styles whose beats fit this feel. */
  grooves: string[];
}

const SWING_GROOVES = ['jazz', 'jazz/swing', 'jazz/mediumfast', 'jazz/fast'];
const KEYS = [0, 0, 0, 4];

/** iReal's feels: labels, tempo range, and how the rhythm section plays them. */
export const FEELS: Record<string, Feel> = {
  'Medium Swing': { styles: ['swing'], tempo: [110, 160], comp: 'swing', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: SWING_GROOVES },
  'Medium Up Swing': { styles: ['swing'], tempo: [160, 200], comp: 'swing', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: SWING_GROOVES },
  'Up Tempo Swing': { styles: ['swing'], tempo: [200, 260], comp: 'up-swing', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: SWING_GROOVES },
  'Slow Swing': { styles: ['swing'], tempo: [80, 110], comp: 'swing', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: SWING_GROOVES },
  'Medium Slow': { styles: ['swing'], tempo: [90, 110], comp: 'swing', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: SWING_GROOVES },
  Ballad: { styles: ['ballad'], tempo: [60, 80], comp: 'ballad', bass: 'two-feel', instruments: [0, 0, 4, 89, 88], bassProgram: 32, grooves: [] },
  Waltz: { styles: ['waltz'], tempo: [110, 170], comp: 'waltz', bass: 'walking', instruments: KEYS, bassProgram: 32, grooves: ['jazz'] },
  'Bossa Nova': { styles: ['bossa nova'], tempo: [120, 140], comp: 'bossa', bass: 'bossa', instruments: [0, 4], bassProgram: 32, grooves: ['latin/brazilian-bossa'] },
  Samba: { styles: ['samba', 'latin'], tempo: [100, 120], comp: 'bossa', bass: 'bossa', instruments: [0, 4], bassProgram: 32, grooves: ['latin/samba', 'latin/brazilian-samba'] },
  Latin: { styles: ['latin'], tempo: [150, 190], comp: 'latin', bass: 'tumbao', instruments: [0, 0, 4], bassProgram: 32, grooves: [] },
  'Latin-Swing': { styles: ['latin', 'swing'], tempo: [150, 190], comp: 'latin', bass: 'tumbao', instruments: [0, 4], bassProgram: 32, grooves: [] },
  Afro: { styles: ['afro-cuban', 'latin'], tempo: [150, 190], comp: 'latin', bass: 'tumbao', instruments: [0, 4], bassProgram: 32, grooves: [] },
  Calypso: { styles: ['calypso'], tempo: [160, 190], comp: 'latin', bass: 'pop', instruments: [0, 4], bassProgram: 33, grooves: [] },
  Funk: { styles: ['funk'], tempo: [90, 110], comp: 'funk', bass: 'funk', instruments: [4, 4, 0], bassProgram: 33, grooves: ['funk', 'jazz/funk'] },
  'Even 8ths': { styles: ['straight eighths'], tempo: [100, 140], comp: 'even', bass: 'pop', instruments: [0, 4], bassProgram: 33, grooves: [] },
  'Even 16ths': { styles: ['straight sixteenths'], tempo: [90, 110], comp: 'funk', bass: 'funk', instruments: [4, 0], bassProgram: 33, grooves: [] },
  'Rock Pop': { styles: ['rock', 'pop'], tempo: [100, 130], comp: 'even', bass: 'pop', instruments: [0, 4], bassProgram: 33, grooves: [] },
  'Slow Rock': { styles: ['rock', 'ballad'], tempo: [65, 85], comp: 'arpeggio', bass: 'pop', instruments: [0, 4], bassProgram: 33, grooves: [] },
};

/** The longest chorus kept: charts past this many bars are cut (the builder cuts 4-16 bar windows anyway). */
export const MAX_CHART_BARS = 64;
/** How often a chart whose feel has a fitting groove gets drums. */
const DRUMS_CHANCE = 0.5;

/** Register and spread of each comping instrument's voicings. */
export function keyboardVoicing(program: number): VoicingOptions {
  if (program >= 88 && program <= 95) return { low: 52, high: 79, voices: 4, rootless: false, center: 65, maxSpan: 16 };
  if (program === 4 || program === 5) return { low: 50, high: 76, voices: 4, rootless: true, center: 62, maxSpan: 14 };
  return { low: 48, high: 74, voices: 4, rootless: true, center: 60, maxSpan: 14 };
}

function randomTempo(range: [number, number], random: Random): number {
  return range[0] + random.int(range[1] - range[0] + 1);
}

/** A groove of the feel in the chart's meter whose own tempo lies near the feel's range, or undefined. */
function chooseGroove(feel: Feel, meter: [number, number], grooves: readonly GrooveClip[], random: Random): GrooveClip | undefined {
  const fitting = grooves.filter((clip) => feel.grooves.includes(clip.style)
    && clip.meter[0] === meter[0] && clip.meter[1] === meter[1]
    && clip.bpm >= feel.tempo[0] * 0.8 && clip.bpm <= feel.tempo[1] * 1.2);
  if (fitting.length === 0 || !random.chance(DRUMS_CHANCE)) return undefined;
  return random.pick(fitting);
}

export interface ArrangedChart {
  score: Score;
  styles: string[];
  groove?: GrooveClip;
}

/** The rhythm-section arrangement of a chart, or undefined when it has no chords. */
export function arrangeChart(chart: JazzChart, grooves: readonly GrooveClip[], random: Random): ArrangedChart | undefined {
  const feel = FEELS[chart.rhythm] ?? FEELS['Medium Swing'];
  const spans = chartTimeline(chart, MAX_CHART_BARS);
  if (spans.length === 0) return undefined;
  const [numerator, denominator] = chart.meter;
  const timeSignatures = [{ tick: 0, numerator, denominator }];
  const bars = barsOf({ timeSignatures }, spans[spans.length - 1].end);
  const groove = chooseGroove(feel, chart.meter, grooves, random);
  const bpm = groove ? Math.min(feel.tempo[1], Math.max(feel.tempo[0], groove.bpm)) : randomTempo(feel.tempo, random);

  const bassOptions = { range: BASS_RANGE, velocity: 84, random };
  const bass = feel.bass === 'walking'
    ? walkingBass(spans, bars, bassOptions)
    : patternedBass(spans, bars, (bar) => bassFigure(feel.bass as BassStyle, bar, random), { ...bassOptions, coverChanges: feel.bass !== 'tumbao' });
  const program = random.pick(feel.instruments);
  const isPad = program >= 88;
  const comp = writeComping(spans, bars, (bar) => compFigure(isPad ? 'sustain' : feel.comp, bar, random), {
    voicing: keyboardVoicing(program),
    random,
    loudness: isPad ? 0.9 : 1,
    bass,
    coverChanges: isPad || feel.comp === 'ballad' ? 'sustain' : 12,
  });
  const tracks: Track[] = [
    { program, isDrum: false, name: instrumentName(program), notes: comp },
    { program: feel.bassProgram, isDrum: false, name: instrumentName(feel.bassProgram), notes: bass },
  ];
  if (groove) tracks.push(grooveTrack(groove, bars, random.int(groove.bars.length)));
  const end = bars[bars.length - 1].start + bars[bars.length - 1].ticks;
  return { score: finishScore({ tempos: [{ tick: 0, bpm }], timeSignatures, tracks }, end), styles: feel.styles, groove };
}

/** Every readable chart as a rhythm-section score, in the file's (alphabetical) order. */
export async function* jazzStandards(dataDir: string, options: { limit?: number; seed: number }): AsyncGenerator<SourceExample> {
  const { charts, origin } = await readJazzCharts(dataDir);
  const grooveStyles = new Set(Object.values(FEELS).flatMap((feel) => feel.grooves));
  const grooves = await loadGrooveClips(dataDir, (row) => grooveStyles.has(row.style));
  let count = 0;
  for (const [index, chart] of charts.entries()) {
    const random = createRandom(seedFromString(`${options.seed}:jazz-standards:${index}:${chart.title}`));
    const arranged = arrangeChart(chart, grooves, random);
    if (!arranged) continue;
    yield {
      source: 'jazz-standards',
      songId: `jazz-standards/${chart.title}`,
      origin: arranged.groove ? `${origin} + ${GROOVE_ORIGIN}` : origin,
      score: arranged.score,
      labels: { genre: 'jazz', styles: arranged.styles, moods: [], title: chart.title, artist: chart.composer },
      assembled: false,
    };
    if (++count === options.limit) return;
  }
}
