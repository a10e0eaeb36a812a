/**
 * The musicality plot of an evaluation: one strip per metric, the real songs' p10-p90 band and median above the
 * axis, every generated piece as a dot below it with the pieces' own band and median. Pure JS: the piano roll's
 * canvas and text (src/render), PNG through pngjs.
 */
import type { MetricName } from '../dataset/reference-metrics.ts';
import { MUSICALITY_METRICS, type Summary } from '../analysis/metrics/index.ts';
import { createRandom } from '../music/random.ts';
import { Canvas, hexColor } from '../render/canvas.ts';
import { drawText, fitText, measureText } from '../render/text.ts';
import type { EvalReport } from './run-eval.ts';

/** The plot of a report's composed pieces. */
export function evalPlot(report: EvalReport): Uint8Array {
  const pick = (part: 'generated' | 'reference') => Object.fromEntries(MUSICALITY_METRICS.map((metric) => [metric, report.musicality[metric][part]]));
  return musicalityPlot({
    title: `Musicality: ${report.model.id}, ${report.outcomes.composed} pieces beside real songs`,
    values: report.runs.flatMap((run) => (run.musicality ? [run.musicality] : [])),
    reference: pick('reference') as Partial<Record<MetricName, Summary>>,
    generated: pick('generated') as Record<MetricName, Summary>,
  });
}

export interface PlotInput {
  title: string;
  /** Each generated piece's value per metric (null: nothing to measure). */
  values: ReadonlyArray<Record<MetricName, number | null>>;
  reference?: Partial<Record<MetricName, Summary>>;
  generated: Record<MetricName, Summary>;
}

const COLORS = {
  background: hexColor('#ffffff'),
  text: hexColor('#1f2328'),
  muted: hexColor('#656d76'),
  axis: hexColor('#8c959f'),
  reference: hexColor('#57606a'),
  referenceBand: hexColor('#d0d7de'),
  generated: hexColor('#d1581f'),
  generatedBand: hexColor('#ffd8b5'),
};

const WIDTH = 1000;
const PANEL = 84;
const TOP = 78;
const LEFT = 210;
const RIGHT = WIDTH - 70;

/** The values' span with the reference band, padded; no metric is negative, and shares stay within [0, 1]. */
function domainOf(metric: MetricName, values: number[], reference?: Summary): [number, number] {
  const points = [...values, ...(reference && reference.count ? [reference.p10, reference.p90] : [])].filter(Number.isFinite);
  if (points.length === 0) return [0, 1];
  let low = Math.min(...points);
  let high = Math.max(...points);
  const pad = Math.max((high - low) * 0.06, 1e-3);
  [low, high] = [Math.max(0, low - pad), high + pad];
  if (['scaleConsistency', 'grooveConsistency', 'drumBarAgreement', 'emptyBeatRate', 'polyphonyRate'].includes(metric)) high = Math.min(1, high);
  return [low, high];
}

const label = (value: number) => (Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

export function musicalityPlot(input: PlotInput): Uint8Array {
  const height = TOP + PANEL * MUSICALITY_METRICS.length + 24;
  const canvas = new Canvas(WIDTH, height, COLORS.background);
  drawText(canvas, fitText(input.title, WIDTH - 48, 18, 600), 24, 32, { size: 18, color: COLORS.text, weight: 600 });
  // Legend.
  canvas.fillRect(24, 48, 52, 58, COLORS.referenceBand);
  canvas.fillRect(37, 45, 39, 61, COLORS.reference);
  drawText(canvas, 'real songs: p10-p90, median', 60, 58, { size: 12, color: COLORS.muted });
  canvas.fillRect(260, 48, 288, 58, COLORS.generatedBand);
  canvas.fillRect(273, 45, 275, 61, COLORS.generated);
  canvas.fillRect(296, 51, 300, 55, COLORS.generated);
  drawText(canvas, 'generated pieces: p10-p90, median, each piece', 306, 58, { size: 12, color: COLORS.muted });

  MUSICALITY_METRICS.forEach((metric, row) => {
    const top = TOP + row * PANEL;
    const axisY = top + PANEL / 2;
    const values = input.values.map((value) => value[metric]).filter((value): value is number => value !== null && Number.isFinite(value));
    const reference = input.reference?.[metric];
    const generated = input.generated[metric];
    const [low, high] = domainOf(metric, values, reference);
    const x = (value: number) => LEFT + ((value - low) / (high - low)) * (RIGHT - LEFT);

    drawText(canvas, metric, 24, axisY - 2, { size: 14, color: COLORS.text, weight: 600 });
    drawText(canvas, `${values.length} pieces`, 24, axisY + 16, { size: 11, color: COLORS.muted });
    canvas.fillRect(LEFT, axisY, RIGHT, axisY + 1, COLORS.axis);
    drawText(canvas, label(low), LEFT - 6 - measureText(label(low), 11), axisY + 4, { size: 11, color: COLORS.muted });
    drawText(canvas, label(high), RIGHT + 6, axisY + 4, { size: 11, color: COLORS.muted });

    if (reference && reference.count > 0) {
      canvas.fillRect(x(reference.p10), axisY - 22, x(reference.p90), axisY - 6, COLORS.referenceBand);
      canvas.fillRect(x(reference.p50) - 1, axisY - 26, x(reference.p50) + 1, axisY - 2, COLORS.reference);
      drawText(canvas, label(reference.p50), x(reference.p50) + 4, axisY - 26, { size: 10, color: COLORS.reference });
    }
    if (generated.count > 0) {
      canvas.fillRect(x(generated.p10), axisY + 6, x(generated.p90), axisY + 12, COLORS.generatedBand);
      canvas.fillRect(x(generated.p50) - 1, axisY + 3, x(generated.p50) + 1, axisY + 15, COLORS.generated);
    }
    // Dots jittered vertically (seeded, so the picture is reproducible) to show piled-up values.
    const jitter = createRandom(row + 1);
    for (const value of values) {
      const cx = x(value);
      const cy = axisY + 18 + jitter.next() * 14;
      canvas.fillRect(cx - 2, cy - 2, cx + 2, cy + 2, COLORS.generated, 0.55);
    }
  });
  return canvas.toPng();
}
