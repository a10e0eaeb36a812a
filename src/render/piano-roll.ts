/**
 * The picture posted beside a take: a piano roll with one colour per instrument, bar lines and numbers, octave
 * lines, the drums in their own lane at the bottom, a legend with the General MIDI names, the prompt as title, and the
 * sections of a piece composed in form marked where they start.
 * Sized for Discord's preview (1200 x 600 by default) on its dark theme.
 */
import { barsOf, instrumentOf, scoreEndTick, tempoAt, tickToSeconds, type Score, type Track } from '../music/score.ts';
import { instrumentName } from '../music/instruments.ts';
import { Canvas, hexColor, type Rgb } from './canvas.ts';
import { drawText, fitText } from './text.ts';

export interface PianoRollOptions {
  /** Shown as the title (the prompt); empty for none. */
  title?: string;
  width?: number;
  height?: number;
  /** Where each section starts (1-based bar) and what to call it; none for a piece without a form. */
  sections?: ReadonlyArray<SectionMark>;
}

export interface SectionMark {
  firstBar: number;
  label: string;
}

const COLORS = {
  background: hexColor('#1b1c20'),
  roll: hexColor('#23252b'),
  octaveBand: hexColor('#272a31'),
  octaveLine: hexColor('#343842'),
  bar: hexColor('#3a3e48'),
  strongBar: hexColor('#555b68'),
  title: hexColor('#f2f3f5'),
  muted: hexColor('#9ba1ad'),
  drums: hexColor('#c9ced6'),
  section: hexColor('#e8e36a'),
};

/** Distinct on a dark background, in the order instruments take them. */
const PALETTE = [
  '#4e9bff', '#ff7a59', '#54d38a', '#ffc857', '#c47bff', '#3fd0d4', '#ff6fb5', '#a3e05b',
  '#ff9f40', '#8c9eff', '#e8e36a', '#5fe3b0', '#ff8a8a', '#b0a3ff', '#7fd4ff', '#f0a5d8',
].map(hexColor);

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function renderPianoRoll(score: Score, options: PianoRollOptions = {}): Uint8Array {
  const width = options.width ?? 1200;
  const height = options.height ?? 600;
  const canvas = new Canvas(width, height, COLORS.background);
  const melodic = score.tracks.filter((track) => !track.isDrum && track.notes.length > 0);
  const drums = score.tracks.filter((track) => track.isDrum && track.notes.length > 0);
  const colorOf = new Map<Track, Rgb>();
  melodic.forEach((track, index) => colorOf.set(track, PALETTE[index % PALETTE.length]));
  for (const track of drums) colorOf.set(track, COLORS.drums);

  const title = options.title?.trim() ?? '';
  const headerBottom = drawHeader(canvas, score, title, 24, width - 24);
  const legendWidth = Math.round(width * 0.19);
  const sections = options.sections ?? [];
  // Section labels take a row of their own above the roll.
  const roll: Box = { left: 52, top: headerBottom + (sections.length ? 34 : 14), right: width - legendWidth - 24, bottom: height - 30 };
  drawLegend(canvas, [...melodic, ...drums], colorOf, { left: roll.right + 20, top: roll.top, right: width - 16, bottom: roll.bottom });

  const endTick = Math.max(1, scoreEndTick(score));
  const bars = barsOf(score, endTick);
  const totalTicks = bars[bars.length - 1].start + bars[bars.length - 1].ticks;
  const xOf = (tick: number) => roll.left + (tick / totalTicks) * (roll.right - roll.left);

  // Drums take a lane at the bottom, or the whole roll when nothing else plays.
  const drumHeight = !drums.length ? 0 : melodic.length ? Math.max(48, Math.round((roll.bottom - roll.top) * 0.2)) : roll.bottom - roll.top;
  const pitchBox: Box = { ...roll, bottom: roll.bottom - (drums.length ? drumHeight + 8 : 0) };
  const drumBox: Box = { ...roll, top: roll.bottom - drumHeight };
  if (melodic.length) canvas.fillRect(pitchBox.left, pitchBox.top, pitchBox.right, pitchBox.bottom, COLORS.roll);
  if (drums.length) canvas.fillRect(drumBox.left, drumBox.top, drumBox.right, drumBox.bottom, COLORS.roll);

  const yOfPitch = melodic.length ? drawPitchGrid(canvas, melodic, pitchBox) : undefined;
  drawBarLines(canvas, bars, xOf, roll, melodic.length ? pitchBox : undefined, drums.length ? drumBox : undefined);

  const minimumWidth = 1.5;
  if (yOfPitch) for (const track of melodic) {
    const color = colorOf.get(track)!;
    for (const note of track.notes) {
      const [top, bottom] = yOfPitch(note.pitch);
      const x0 = xOf(note.onset);
      const x1 = Math.max(x0 + minimumWidth, xOf(note.onset + note.duration) - 0.6);
      canvas.fillRect(x0, top, x1, bottom, color, 0.5 + (0.5 * note.velocity) / 127);
    }
  }
  if (drums.length) drawDrumLane(canvas, drums, xOf, drumBox);
  drawSections(canvas, sections, bars, xOf, roll);
  return canvas.toPng();
}

/** Title and a line of facts; returns the y where the header ends. */
function drawHeader(canvas: Canvas, score: Score, title: string, left: number, right: number): number {
  let baseline = 20;
  if (title) {
    baseline = 42;
    drawText(canvas, fitText(title, right - left, 26, 600), left, baseline, { size: 26, weight: 600, color: COLORS.title });
  }
  const endTick = scoreEndTick(score);
  const seconds = Math.round(tickToSeconds(score, endTick));
  const meter = score.timeSignatures[0] ?? { numerator: 4, denominator: 4 };
  const facts = [
    `${Math.round(tempoAt(score, 0))} BPM`,
    `${meter.numerator}/${meter.denominator}`,
    `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`,
    `${score.tracks.length} ${score.tracks.length === 1 ? 'instrument' : 'instruments'}`,
    `${barsOf(score, endTick).length} bars`,
  ].join('  ·  ');
  baseline += 26;
  drawText(canvas, facts, left, baseline, { size: 15, color: COLORS.muted });
  return baseline + 6;
}

function drawLegend(canvas: Canvas, tracks: Track[], colorOf: Map<Track, Rgb>, box: Box): void {
  const rowHeight = 24;
  const fits = Math.floor((box.bottom - box.top) / rowHeight);
  const shown = tracks.length > fits ? tracks.slice(0, fits - 1) : tracks;
  shown.forEach((track, index) => {
    const y = box.top + index * rowHeight;
    canvas.fillRect(box.left, y + 5, box.left + 14, y + 19, colorOf.get(track)!);
    const name = capitalize(instrumentName(instrumentOf(track)));
    drawText(canvas, fitText(name, box.right - box.left - 22, 15), box.left + 22, y + 17, { size: 15, color: COLORS.title });
  });
  if (shown.length < tracks.length) {
    const y = box.top + shown.length * rowHeight;
    drawText(canvas, `+ ${tracks.length - shown.length} more`, box.left + 22, y + 17, { size: 15, color: COLORS.muted });
  }
}

/** Octave bands and C labels; returns the mapping from pitch to the row's [top, bottom]. */
function drawPitchGrid(canvas: Canvas, melodic: Track[], box: Box): (pitch: number) => [number, number] {
  let low = 127;
  let high = 0;
  for (const track of melodic) for (const note of track.notes) {
    low = Math.min(low, note.pitch);
    high = Math.max(high, note.pitch);
  }
  if (low > high) [low, high] = [48, 72];
  // At least two octaves, so a single line does not fill the height with huge bars.
  const span = Math.max(24, high - low + 3);
  low = Math.max(0, Math.round((low + high) / 2 - span / 2));
  high = low + span - 1;
  const rowHeight = (box.bottom - box.top) / span;
  const yTop = (pitch: number) => box.bottom - (pitch - low + 1) * rowHeight;
  for (let octave = Math.floor(low / 12); octave <= Math.floor(high / 12); octave++) {
    const c = octave * 12;
    if (octave % 2 === 0) {
      const bandTop = Math.max(box.top, yTop(Math.min(high, c + 11)));
      const bandBottom = Math.min(box.bottom, yTop(Math.max(low, c)) + rowHeight);
      canvas.fillRect(box.left, bandTop, box.right, bandBottom, COLORS.octaveBand);
    }
    if (c < low) continue;
    const lineY = yTop(c) + rowHeight;
    canvas.fillRect(box.left, lineY - 0.5, box.right, lineY + 0.5, COLORS.octaveLine);
    drawText(canvas, `C${octave - 1}`, 14, lineY + 4, { size: 12, color: COLORS.muted });
  }
  const gap = rowHeight > 4 ? 1 : 0;
  return (pitch) => [yTop(pitch) + gap / 2, yTop(pitch) + rowHeight - gap / 2];
}

function drawBarLines(
  canvas: Canvas,
  bars: ReturnType<typeof barsOf>,
  xOf: (tick: number) => number,
  roll: Box,
  pitchBox: Box | undefined,
  drumBox: Box | undefined,
): void {
  const barWidth = (roll.right - roll.left) / bars.length;
  // Every bar while bars are wide enough to see; otherwise every 2nd, 4th, 8th...
  let lineStep = 1;
  while (barWidth * lineStep < 6) lineStep *= 2;
  let labelStep = lineStep;
  while (barWidth * labelStep < 36) labelStep *= 2;
  for (const bar of bars) {
    if (bar.index % lineStep !== 0) continue;
    const x = xOf(bar.start);
    const strong = bar.index % (lineStep * 4) === 0;
    const color = strong ? COLORS.strongBar : COLORS.bar;
    if (pitchBox) canvas.fillRect(x, pitchBox.top, x + 1, pitchBox.bottom, color);
    if (drumBox) canvas.fillRect(x, drumBox.top, x + 1, drumBox.bottom, color);
    if (bar.index % labelStep === 0) drawText(canvas, String(bar.index + 1), x + 3, roll.bottom + 18, { size: 12, color: COLORS.muted });
  }
}

/** A line down the roll where each section starts, over the notes, and its label above the roll, cut to the section's width. */
function drawSections(canvas: Canvas, sections: ReadonlyArray<SectionMark>, bars: ReturnType<typeof barsOf>, xOf: (tick: number) => number, roll: Box): void {
  const starts = sections.map((section) => xOf(bars[Math.min(section.firstBar - 1, bars.length - 1)].start));
  sections.forEach((section, index) => {
    const x = starts[index];
    const next = starts[index + 1] ?? roll.right;
    canvas.fillRect(x - 0.5, roll.top - 18, x + 1.5, roll.bottom, COLORS.section, 0.85);
    drawText(canvas, fitText(section.label, Math.max(0, next - x - 8), 13, 600), x + 5, roll.top - 6, { size: 13, weight: 600, color: COLORS.section });
  });
}

/** One row per drum sound used, the lowest key at the bottom; each hit a short mark. */
function drawDrumLane(canvas: Canvas, drums: Track[], xOf: (tick: number) => number, box: Box): void {
  const keys = [...new Set(drums.flatMap((track) => track.notes.map((note) => note.pitch)))].sort((a, b) => a - b);
  const rowHeight = (box.bottom - box.top - 4) / keys.length;
  const markHeight = Math.max(1, Math.min(rowHeight - 1, 12));
  const rowOf = new Map(keys.map((key, index) => [key, index]));
  for (const track of drums) {
    for (const note of track.notes) {
      const rowBottom = box.bottom - 2 - rowOf.get(note.pitch)! * rowHeight;
      const bottom = rowBottom - (rowHeight - markHeight) / 2;
      const x0 = xOf(note.onset);
      const x1 = Math.max(x0 + 2, Math.min(xOf(note.onset + note.duration), x0 + 6));
      canvas.fillRect(x0, bottom - markHeight, x1, bottom, COLORS.drums, 0.45 + (0.55 * note.velocity) / 127);
    }
  }
  drawText(canvas, 'Drums', 8, (box.top + box.bottom) / 2 + 4, { size: 12, color: COLORS.muted });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
