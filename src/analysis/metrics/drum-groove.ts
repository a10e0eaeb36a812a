/**
 * Whether the drums keep a groove: the same pattern bar after bar, with enough hits to be heard as a beat.
 *
 * MusPy's groove consistency compares every time step of neighbouring bars, so two nearly silent bars agree almost
 * perfectly; these metrics look at the drum hits alone. Both are medians over the bars of the drum part (from its
 * first to its last sounding bar), so a fill or a break every few bars does not move them.
 */
import { TICKS_PER_QUARTER, barsOf, scoreEndTick, type Bar, type Score } from '../../music/score.ts';
import { summarize } from './summary.ts';

/** The grid the patterns are compared on: sixteenth notes. */
const STEP_TICKS = TICKS_PER_QUARTER / 4;
/** Hits are counted per 4/4 bar, so that bars of other meters compare. */
const COMMON_BAR_TICKS = 4 * TICKS_PER_QUARTER;

interface DrumBar {
  bar: Bar;
  /** Sixteenth steps of the bar where any drum is struck. */
  steps: Set<number>;
  hits: number;
}

/** The drum part bar by bar, from its first to its last bar with a hit; empty when the score has no drum hits. */
function drumBars(score: Score): DrumBar[] {
  const onsets = score.tracks.filter((track) => track.isDrum).flatMap((track) => track.notes.map((note) => note.onset));
  if (onsets.length === 0) return [];
  const bars = barsOf(score, scoreEndTick(score)).map((bar) => ({ bar, steps: new Set<number>(), hits: 0 }));
  onsets.sort((a, b) => a - b);
  let index = 0;
  for (const onset of onsets) {
    while (index + 1 < bars.length && bars[index + 1].bar.start <= onset) index += 1;
    const { bar } = bars[index];
    const lastStep = Math.ceil(bar.ticks / STEP_TICKS) - 1;
    bars[index].steps.add(Math.min(lastStep, Math.round((onset - bar.start) / STEP_TICKS)));
    bars[index].hits += 1;
  }
  const first = bars.findIndex((drumBar) => drumBar.hits > 0);
  let last = bars.length - 1;
  while (bars[last].hits === 0) last -= 1;
  return bars.slice(first, last + 1);
}

/**
 * Median agreement of consecutive bars' drum onsets on the sixteenth grid: hits in both bars' patterns over hits in
 * either (Jaccard), 1 when a bar repeats its neighbour's pattern exactly. NaN without drums or with one drum bar.
 */
export function drumBarAgreement(score: Score): number {
  const bars = drumBars(score);
  const agreements: number[] = [];
  for (let i = 1; i < bars.length; i++) {
    const [a, b] = [bars[i - 1].steps, bars[i].steps];
    const union = new Set([...a, ...b]).size;
    if (union === 0) continue;
    let shared = 0;
    for (const step of a) if (b.has(step)) shared += 1;
    agreements.push(shared / union);
  }
  return summarize(agreements).p50;
}

/** Median number of drum hits in a bar of the drum part, scaled to a 4/4 bar. NaN without drums. */
export function drumHitsPerBar(score: Score): number {
  return summarize(drumBars(score).map(({ bar, hits }) => (hits * COMMON_BAR_TICKS) / bar.ticks)).p50;
}
