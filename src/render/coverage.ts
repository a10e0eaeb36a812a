/**
 * Anti-aliased filling of outlines (glyphs) into a coverage mask, by exact area accumulation: every edge adds the
 * signed area it covers to the cells it crosses, and a running sum along each row turns that into coverage. Curves
 * are flattened to short lines first.
 */

export type PathCommand =
  | { type: 'M' | 'L'; x: number; y: number }
  | { type: 'Q'; x1: number; y1: number; x: number; y: number }
  | { type: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: 'Z' };

export interface CoverageMask {
  width: number;
  height: number;
  /** Row-major, 0 (empty) to 1 (covered). */
  alpha: Float32Array;
}

/** Pixels of flattening error allowed for curves. */
const FLATNESS = 0.2;

export function fillPaths(commands: readonly PathCommand[], width: number, height: number): CoverageMask {
  // One spare cell per row: an edge at the right border spills its remainder there.
  const stride = width + 2;
  const cells = new Float32Array(stride * height + 2);
  const line = (x0: number, y0: number, x1: number, y1: number) => accumulateLine(cells, stride, height, x0, y0, x1, y1);
  let startX = 0, startY = 0, x = 0, y = 0;
  for (const command of commands) {
    switch (command.type) {
      case 'M':
        if (x !== startX || y !== startY) line(x, y, startX, startY);
        startX = x = command.x;
        startY = y = command.y;
        break;
      case 'L':
        line(x, y, command.x, command.y);
        x = command.x;
        y = command.y;
        break;
      case 'Q': {
        const steps = curveSteps(2 * Math.hypot(x - 2 * command.x1 + command.x, y - 2 * command.y1 + command.y));
        let px = x, py = y;
        for (let i = 1; i <= steps; i++) {
          const t = i / steps, u = 1 - t;
          const qx = u * u * x + 2 * u * t * command.x1 + t * t * command.x;
          const qy = u * u * y + 2 * u * t * command.y1 + t * t * command.y;
          line(px, py, qx, qy);
          px = qx;
          py = qy;
        }
        x = command.x;
        y = command.y;
        break;
      }
      case 'C': {
        const bend = Math.max(
          Math.hypot(x - 2 * command.x1 + command.x2, y - 2 * command.y1 + command.y2),
          Math.hypot(command.x1 - 2 * command.x2 + command.x, command.y1 - 2 * command.y2 + command.y),
        );
        const steps = curveSteps(6 * bend);
        let px = x, py = y;
        for (let i = 1; i <= steps; i++) {
          const t = i / steps, u = 1 - t;
          const cx = u * u * u * x + 3 * u * u * t * command.x1 + 3 * u * t * t * command.x2 + t * t * t * command.x;
          const cy = u * u * u * y + 3 * u * u * t * command.y1 + 3 * u * t * t * command.y2 + t * t * t * command.y;
          line(px, py, cx, cy);
          px = cx;
          py = cy;
        }
        x = command.x;
        y = command.y;
        break;
      }
      case 'Z':
        line(x, y, startX, startY);
        x = startX;
        y = startY;
        break;
    }
  }
  if (x !== startX || y !== startY) line(x, y, startX, startY);

  const alpha = new Float32Array(width * height);
  for (let row = 0; row < height; row++) {
    let sum = 0;
    for (let column = 0; column < width; column++) {
      sum += cells[row * stride + column];
      // Non-zero winding, with overlapping contours (accents, joined strokes) counted once.
      alpha[row * width + column] = Math.min(1, Math.abs(sum));
    }
  }
  return { width, height, alpha };
}

/** Segments for a curve whose second derivative is at most `curvature`: chord error <= curvature / (8 n^2). */
function curveSteps(curvature: number): number {
  return Math.max(1, Math.min(64, Math.ceil(Math.sqrt(curvature / (8 * FLATNESS)))));
}

/** Adds one edge's signed area to the cells it crosses; x is clamped to the mask, y is clipped. */
function accumulateLine(cells: Float32Array, stride: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  if (y0 === y1) return;
  const direction = y0 < y1 ? 1 : -1;
  if (direction < 0) [x0, y0, x1, y1] = [x1, y1, x0, y0];
  const width = stride - 2;
  x0 = Math.min(Math.max(x0, 0), width);
  x1 = Math.min(Math.max(x1, 0), width);
  const slope = (x1 - x0) / (y1 - y0);
  const firstRow = Math.max(0, Math.floor(y0));
  const lastRow = Math.min(height, Math.ceil(y1));
  let x = x0 + (Math.max(y0, firstRow) - y0) * slope;
  for (let row = firstRow; row < lastRow; row++) {
    const top = Math.max(row, y0);
    const bottom = Math.min(row + 1, y1);
    if (bottom <= top) continue;
    const dy = bottom - top;
    const nextX = x + slope * dy;
    const signed = dy * direction;
    const base = row * stride;
    const left = Math.min(x, nextX);
    const right = Math.max(x, nextX);
    const leftCell = Math.floor(left);
    if (right - leftCell <= 1) {
      // The edge stays inside one cell: the part of the cell right of the edge's mean x is covered.
      const mid = (x + nextX) / 2 - leftCell;
      cells[base + leftCell] += signed * (1 - mid);
      cells[base + leftCell + 1] += signed * mid;
    } else {
      // Spread over several cells: the area right of the edge grows linearly across them.
      const inverse = 1 / (right - left);
      const leftFraction = left - leftCell;
      const rightCell = Math.ceil(right);
      const rightFraction = right - rightCell + 1;
      const firstArea = 0.5 * inverse * (1 - leftFraction) ** 2;
      const lastArea = 0.5 * inverse * rightFraction ** 2;
      cells[base + leftCell] += signed * firstArea;
      if (rightCell - leftCell === 2) {
        cells[base + leftCell + 1] += signed * (1 - firstArea - lastArea);
      } else {
        const secondArea = inverse * (1.5 - leftFraction);
        cells[base + leftCell + 1] += signed * (secondArea - firstArea);
        for (let cell = leftCell + 2; cell < rightCell - 1; cell++) cells[base + cell] += signed * inverse;
        const beforeLast = secondArea + (rightCell - leftCell - 3) * inverse;
        cells[base + rightCell - 1] += signed * (1 - beforeLast - lastArea);
      }
      cells[base + rightCell] += signed * lastArea;
    }
    x = nextX;
  }
}
