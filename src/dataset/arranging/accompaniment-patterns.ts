/**
 * Rhythms for accompaniment, per style: where a keyboard strikes its chords in a bar and which chord tones a bass
 * plays when. Ticks are at 12 per quarter; swung eighths fall on 0 and 8 of a beat, straight ones on 0 and 6.
 * Each style has a few bar-long figures, picked per bar so the part varies the way a player's would.
 */
import type { BassHit } from './bass-line.ts';
import type { CompHit } from './comping.ts';
import type { Random } from '../../music/random.ts';
import type { Bar } from '../../music/score.ts';

export type CompStyle =
  | 'swing' | 'up-swing' | 'ballad' | 'waltz' | 'bossa' | 'latin' | 'funk' | 'even' | 'sustain' | 'arpeggio' | 'lofi'
  | 'stab' | 'arp16';

export type BassStyle =
  | 'walking' | 'two-feel' | 'bossa' | 'tumbao' | 'funk' | 'even' | 'pop' | 'sustain' | 'lofi' | 'house' | 'techno'
  | 'trap' | 'dnb';

const h = (at: number, duration: number, velocity: number, extra: Partial<CompHit> = {}): CompHit => ({ at, duration, velocity, ...extra });

/** Figures for a 4/4 bar. */
const COMP_44: Record<CompStyle, CompHit[][]> = {
  swing: [
    [h(0, 10, 70), h(20, 8, 62)], // Charleston
    [h(8, 6, 60), h(24, 12, 66)],
    [h(12, 8, 64), h(36, 8, 64)],
    [h(20, 8, 60), h(44, 12, 68, { anticipate: true })],
    [h(0, 20, 68), h(32, 6, 60)],
    [h(0, 10, 66), h(36, 6, 58), h(44, 12, 64, { anticipate: true })],
  ],
  'up-swing': [
    [h(0, 24, 66)],
    [h(20, 16, 62)],
    [h(0, 10, 64), h(44, 12, 66, { anticipate: true })],
    [h(12, 8, 60), h(36, 8, 60)],
  ],
  ballad: [
    [h(0, 48, 58, { sustain: true })],
    [h(0, 24, 58), h(24, 24, 54, { sustain: true })],
    [h(0, 36, 60), h(44, 12, 54, { anticipate: true, sustain: true })],
  ],
  waltz: [],
  bossa: [], // two-bar figure, see compFigure
  latin: [
    [h(0, 6, 66), h(18, 6, 62), h(30, 6, 62), h(42, 6, 64)],
    [h(6, 6, 62), h(18, 6, 64), h(24, 6, 60), h(42, 6, 66, { anticipate: true })],
  ],
  funk: [
    [h(0, 3, 72), h(9, 3, 60), h(18, 3, 66), h(30, 3, 62), h(39, 3, 60)],
    [h(6, 3, 66), h(15, 3, 58), h(24, 3, 70), h(33, 3, 60), h(42, 3, 62)],
    [h(0, 6, 70), h(21, 3, 60), h(24, 3, 66), h(36, 3, 62), h(45, 3, 58)],
  ],
  even: [
    [h(0, 12, 66), h(12, 12, 58), h(24, 12, 62), h(36, 12, 58)],
    [h(0, 18, 66), h(18, 18, 60), h(36, 12, 60)], // 3+3+2
    [h(0, 24, 64), h(24, 24, 60)],
    [h(0, 6, 64), h(6, 6, 54), h(12, 6, 58), h(18, 6, 54), h(24, 6, 62), h(30, 6, 54), h(36, 6, 58), h(42, 6, 54)],
  ],
  sustain: [[h(0, 48, 60, { sustain: true })]],
  arpeggio: [
    [0, 1, 2, 3, 2, 1, 2, 3].map((voice, i) => h(i * 6, 6, i % 2 ? 54 : 62, { voice })),
    [0, 2, 1, 3, 0, 2, 1, 3].map((voice, i) => h(i * 6, 6, i % 2 ? 54 : 62, { voice })),
    [0, 1, 2, 3, 4, 3, 2, 1].map((voice, i) => h(i * 6, 12, i % 2 ? 54 : 62, { voice })),
  ],
  lofi: [
    [h(0, 42, 60)],
    [h(0, 18, 60), h(20, 24, 54)],
    [h(0, 30, 60), h(44, 12, 54, { anticipate: true, sustain: true })],
    [h(8, 36, 56)],
  ],
  arp16: [
    [0, 1, 2, 3, 1, 2, 3, 1, 0, 1, 2, 3, 1, 2, 3, 2].map((voice, i) => h(i * 3, 3, i % 4 === 0 ? 72 : 60, { voice })),
    [0, 2, 1, 3, 0, 2, 1, 3, 0, 2, 1, 3, 0, 2, 1, 3].map((voice, i) => h(i * 3, 3, i % 4 === 0 ? 72 : 60, { voice })),
    [3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0].map((voice, i) => h(i * 3, 3, i % 4 === 0 ? 72 : 60, { voice })),
  ],
  stab: [
    [h(6, 4, 70), h(18, 4, 66), h(30, 4, 70), h(42, 4, 66)],
    [h(0, 4, 70), h(9, 4, 60), h(18, 4, 66), h(30, 4, 66), h(36, 4, 62)],
  ],
};

/** Figures for a 3/4 bar. */
const COMP_34: Partial<Record<CompStyle, CompHit[][]>> = {
  waltz: [
    [h(0, 10, 66), h(20, 8, 60)],
    [h(12, 8, 62), h(24, 8, 62)],
    [h(0, 24, 64)],
    [h(8, 6, 58), h(24, 10, 64)],
  ],
  ballad: [[h(0, 36, 58, { sustain: true })], [h(0, 24, 58), h(24, 12, 54)]],
  sustain: [[h(0, 36, 60, { sustain: true })]],
  arpeggio: [[0, 1, 2, 3, 2, 1].map((voice, i) => h(i * 6, 6, i % 2 ? 54 : 62, { voice }))],
  even: [[h(0, 12, 64), h(12, 12, 58), h(24, 12, 58)]],
};

/** The bossa nova comping rhythm follows the clave across two bars. */
const BOSSA_BARS: CompHit[][] = [
  [h(0, 6, 64), h(18, 6, 60), h(36, 6, 62)],
  [h(12, 6, 60), h(30, 6, 62)],
];

/** Any other meter: a chord at the start and halfway through the bar. */
function genericComp(bar: Bar, style: CompStyle): CompHit[] {
  if (style === 'sustain' || style === 'ballad') return [h(0, bar.ticks, 60, { sustain: true })];
  const half = bar.ticks % 24 === 0 ? bar.ticks / 2 : Math.floor(bar.ticks / 24) * 12;
  return half > 0 ? [h(0, half, 64), h(half, bar.ticks - half, 60)] : [h(0, bar.ticks, 64)];
}

/**
 * The comping figure for a bar of a style: a new pick per bar, or always the same one when `fixed` is given (a
 * loop, as in electronic and hip-hop tracks).
 */
export function compFigure(style: CompStyle, bar: Bar, random: Random, fixed?: number): readonly CompHit[] {
  const quarters = bar.ticks / 12;
  if (style === 'bossa' && quarters === 4) return BOSSA_BARS[bar.index % 2];
  const figures = quarters === 4 && bar.denominator === 4 ? COMP_44[style] : quarters === 3 ? COMP_34[style] ?? COMP_34.waltz : undefined;
  if (!figures || figures.length === 0) return genericComp(bar, style);
  return fixed === undefined ? random.pick(figures) : figures[fixed % figures.length];
}

const b = (at: number, duration: number, tone: BassHit['tone'], accent = 0): BassHit => ({ at, duration, tone, accent });

const BASS_44: Partial<Record<BassStyle, BassHit[][]>> = {
  'two-feel': [
    [b(0, 22, 'root', 6), b(24, 22, 'approach')],
    [b(0, 22, 'root', 6), b(24, 22, 'fifth')],
  ],
  bossa: [[b(0, 18, 'root', 6), b(18, 6, 'fifth'), b(24, 18, 'fifth', 3), b(42, 6, 'root')]],
  tumbao: [[b(18, 18, 'fifth', 4), b(36, 12, 'next-root', 6)]],
  funk: [
    [b(0, 6, 'root', 10), b(9, 3, 'root'), b(12, 3, 'octave'), b(24, 6, 'root', 6), b(30, 3, 'seventh'), b(33, 3, 'octave'), b(42, 6, 'approach')],
    [b(0, 9, 'root', 10), b(15, 3, 'root'), b(18, 3, 'octave'), b(27, 3, 'root', 4), b(36, 6, 'fifth'), b(45, 3, 'approach')],
  ],
  even: [
    [0, 6, 12, 18, 24, 30, 36, 42].map((at) => b(at, 6, 'root', at % 12 === 0 ? 6 : 0)),
    [b(0, 12, 'root', 6), b(12, 12, 'root'), b(24, 12, 'fifth', 3), b(36, 12, 'approach')],
  ],
  pop: [
    [b(0, 18, 'root', 6), b(18, 6, 'root'), b(24, 12, 'fifth', 3), b(36, 12, 'approach')],
    [b(0, 24, 'root', 6), b(24, 18, 'root', 3), b(42, 6, 'octave')],
  ],
  sustain: [[b(0, 48, 'root', 4)]],
  lofi: [
    [b(0, 18, 'root', 6), b(20, 8, 'octave'), b(30, 6, 'fifth'), b(42, 6, 'approach')],
    [b(0, 24, 'root', 6), b(32, 10, 'fifth'), b(44, 4, 'approach')],
    [b(0, 12, 'root', 6), b(18, 6, 'root'), b(36, 12, 'fifth')],
  ],
  house: [
    [6, 18, 30, 42].map((at) => b(at, 6, at === 30 ? 'octave' : 'root', 4)),
    [b(6, 6, 'root', 4), b(18, 6, 'root', 4), b(30, 6, 'root', 4), b(39, 3, 'octave'), b(42, 6, 'root', 4)],
  ],
  techno: [[0, 1, 2, 3].flatMap((beat) => [b(beat * 12 + 3, 3, 'root'), b(beat * 12 + 6, 3, 'root', 4), b(beat * 12 + 9, 3, 'root')])],
  trap: [
    [b(0, 36, 'root', 8), b(36, 12, 'root', 4)],
    [b(0, 24, 'root', 8), b(30, 18, 'octave', 4)],
    [b(0, 18, 'root', 8), b(18, 6, 'root'), b(30, 18, 'fifth', 4)],
  ],
  dnb: [
    [b(0, 30, 'root', 8), b(30, 18, 'root', 4)],
    [b(0, 24, 'root', 8), b(36, 12, 'fifth', 4)],
  ],
};

const BASS_34: Partial<Record<BassStyle, BassHit[][]>> = {
  'two-feel': [[b(0, 24, 'root', 6), b(24, 12, 'fifth')]],
  sustain: [[b(0, 36, 'root', 4)]],
  even: [[b(0, 12, 'root', 6), b(12, 12, 'fifth'), b(24, 12, 'approach')]],
  pop: [[b(0, 24, 'root', 6), b(24, 12, 'fifth')]],
};

function genericBass(bar: Bar): BassHit[] {
  const half = bar.ticks % 24 === 0 ? bar.ticks / 2 : Math.floor(bar.ticks / 24) * 12;
  return half > 0 ? [b(0, half, 'root', 6), b(half, bar.ticks - half, 'fifth')] : [b(0, bar.ticks, 'root', 6)];
}

/** The bass figure for a bar of a style ('walking' is written by walkingBass, not from figures). */
export function bassFigure(style: BassStyle, bar: Bar, random: Random, fixed?: number): readonly BassHit[] {
  const quarters = bar.ticks / 12;
  const figures = quarters === 4 && bar.denominator === 4 ? BASS_44[style] : quarters === 3 ? BASS_34[style] ?? BASS_34['two-feel'] : undefined;
  if (!figures || figures.length === 0) return genericBass(bar);
  return fixed === undefined ? random.pick(figures) : figures[fixed % figures.length];
}
