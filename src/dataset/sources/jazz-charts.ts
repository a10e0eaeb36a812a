/**
 * The jazz-standards chord charts (iReal Pro's library as mikeoliphant/JazzStandards exports it): sections of bars,
 * bars of comma-separated cells, repeats and endings. Reads them into a played-through form (one chorus) and a
 * chord timeline in ticks.
 *
 * A bar holds 1, 2 or 4 cells (iReal's grid): two cells split a 4/4 bar in halves, four give a beat each, an empty
 * cell holds the chord before it, "(X)" is an alternative chord printed small (left out), "/E" changes only the bass.
 */
import path from 'node:path';
import { readArchiveMember } from '../archive.ts';
import { readManifest } from '../manifest.ts';
import { parseChordSymbol, type Chord, type HarmonySpan } from '../arranging/harmony.ts';
import { parsePitchName } from '../../music/keys.ts';
import { snapOffset } from '../../music/grid.ts';
import { barTicks } from '../../music/score.ts';

interface RawSegment {
  Chords: string;
}

interface RawSection {
  Label?: string;
  Repeats?: number;
  MainSegment: RawSegment;
  Endings?: RawSegment[];
}

interface RawChart {
  Title: string;
  Composer?: string;
  Key?: string;
  Rhythm?: string;
  TimeSignature?: string;
  Sections: RawSection[];
}

/** A cell: a chord, or null where the chord before it goes on. */
export type ChartCell = Chord | null;

export interface JazzChart {
  title: string;
  composer?: string;
  /** iReal's feel ("Medium Swing", "Ballad", "Bossa Nova" ...). */
  rhythm: string;
  meter: [number, number];
  /** The form played through once (repeats and endings expanded), bar by bar. */
  bars: ChartCell[][];
}

export type ChartReadResult = { chart: JazzChart } | { problem: string };

/** "Balance, The" -> "The Balance" (iReal files articles at the end). */
export function chartTitle(title: string): string {
  const match = /^(.*), (The|A|An)$/.exec(title.trim());
  return match ? `${match[2]} ${match[1]}` : title.trim();
}

/** iReal joins multi-word names with hyphens ("Antonio-Carlos Jobim", "Jimmy Van-Heusen"). */
export function composerName(composer: string | undefined): string | undefined {
  const name = composer?.replace(/-/g, ' ').replace(/\s+/g, ' ').trim();
  return name || undefined;
}

/** One cell's text to a chord, null (hold), or undefined when unreadable. `previous` is the chord in force. */
export function parseCell(text: string, previous: Chord | undefined): ChartCell | undefined {
  const main = text.replace(/\([^)]*\)/g, '').trim();
  if (main === '') return null;
  const bassOnly = /^\/([A-G][#b]?)$/.exec(main);
  if (bassOnly) {
    const bass = parsePitchName(bassOnly[1]);
    return previous && bass !== undefined ? { ...previous, bass } : undefined;
  }
  return parseChordSymbol(main);
}

function meterOf(raw: RawChart): [number, number] {
  const match = /^(\d+)\/(\d+)$/.exec(raw.TimeSignature ?? '');
  if (match) return [Number(match[1]), Number(match[2])];
  return raw.Rhythm === 'Waltz' ? [3, 4] : [4, 4];
}

/** The form played through: each section's main bars, once per pass, with that pass's ending. */
function expandForm(raw: RawChart): string[] {
  const bars: string[] = [];
  for (const section of raw.Sections) {
    const main = section.MainSegment.Chords.split('|');
    const endings = (section.Endings ?? []).map((ending) => ending.Chords.split('|'));
    const passes = Math.max(endings.length, (section.Repeats ?? 0) + 1);
    for (let pass = 0; pass < passes; pass++) {
      bars.push(...main);
      if (endings.length) bars.push(...endings[Math.min(pass, endings.length - 1)]);
    }
  }
  return bars;
}

export function readChart(raw: RawChart): ChartReadResult {
  const meter = meterOf(raw);
  const bars: ChartCell[][] = [];
  let previous: Chord | undefined;
  for (const barText of expandForm(raw)) {
    const cells: ChartCell[] = [];
    for (const text of barText.split(',')) {
      const cell = parseCell(text, previous);
      if (cell === undefined) return { problem: `unreadable chord "${text}"` };
      if (cell) previous = cell;
      cells.push(cell);
    }
    bars.push(cells);
  }
  if (!bars.some((cells) => cells.some((cell) => cell !== null))) return { problem: 'no chords' };
  return {
    chart: { title: chartTitle(raw.Title), composer: composerName(raw.Composer), rhythm: raw.Rhythm ?? 'Medium Swing', meter, bars },
  };
}

/** Start ticks (from the bar line) of a bar's cells. */
export function cellStarts(cellCount: number, meter: [number, number]): number[] {
  const ticks = barTicks(meter[0], meter[1]);
  const beats = meter[0];
  const beat = ticks / beats;
  if (cellCount <= beats) {
    // Whole beats: the first cells take the beats that do not divide evenly (two cells in 3/4: 2 + 1).
    const base = Math.floor(beats / cellCount);
    const extra = beats % cellCount;
    const starts: number[] = [];
    let at = 0;
    for (let i = 0; i < cellCount; i++) {
      starts.push(at * beat);
      at += base + (i < extra ? 1 : 0);
    }
    return starts;
  }
  return Array.from({ length: cellCount }, (_, i) => snapOffset((i * ticks) / cellCount));
}

/**
 * The chord timeline of a chart, its first `maxBars` bars at most. Cells past the meter's beats that only hold
 * (a 3/4 bar written in four cells, the last empty) are dropped first.
 */
export function chartTimeline(chart: JazzChart, maxBars = Infinity): HarmonySpan[] {
  const ticks = barTicks(chart.meter[0], chart.meter[1]);
  const spans: HarmonySpan[] = [];
  let current: Chord | undefined;
  chart.bars.slice(0, maxBars).forEach((barCells, barIndex) => {
    const cells = [...barCells];
    while (cells.length > chart.meter[0] && cells[cells.length - 1] === null) cells.pop();
    const starts = cellStarts(cells.length, chart.meter);
    cells.forEach((cell, i) => {
      const start = barIndex * ticks + starts[i];
      if (cell && cell !== current) {
        const last = spans[spans.length - 1];
        if (last) last.end = start;
        if (last && last.end <= last.start) spans.pop();
        spans.push({ start, end: start, chord: cell });
        current = cell;
      }
    });
  });
  const end = Math.min(chart.bars.length, maxBars) * ticks;
  if (spans.length) spans[spans.length - 1].end = end;
  return spans.filter((span) => span.end > span.start);
}

export const JAZZ_ARCHIVE = 'parts/jazz-standards.tar.gz';

export interface JazzChartSet {
  charts: JazzChart[];
  /** Charts left out, by reason. */
  skipped: Map<string, number>;
  origin: string;
}

export async function readJazzCharts(dataDir: string): Promise<JazzChartSet> {
  const bytes = await readArchiveMember(path.join(dataDir, JAZZ_ARCHIVE), 'JazzStandards.json');
  if (!bytes) throw new Error(`JazzStandards.json is missing from ${JAZZ_ARCHIVE}`);
  const manifest = await readManifest(path.join(dataDir, 'parts', 'jazz-standards.csv')).catch(() => undefined);
  const origin = manifest?.get('JazzStandards.json')?.origin ?? 'mikeoliphant/JazzStandards (chord charts)';
  const raws = JSON.parse(Buffer.from(bytes).toString('utf8')) as RawChart[];
  const charts: JazzChart[] = [];
  const skipped = new Map<string, number>();
  for (const raw of raws) {
    const result = readChart(raw);
    if ('chart' in result) charts.push(result.chart);
    else skipped.set(result.problem, (skipped.get(result.problem) ?? 0) + 1);
  }
  return { charts, skipped, origin };
}
