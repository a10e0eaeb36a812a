/**
 * A small RGBA raster with the few operations the piano roll needs: anti-aliased rectangles, coverage masks
 * (text), and PNG output through pngjs.
 */
import { PNG } from 'pngjs';
import type { CoverageMask } from './coverage.ts';

export type Rgb = readonly [number, number, number];

export function hexColor(hex: string): Rgb {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

export class Canvas {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < this.data.length; i += 4) {
      this.data[i] = background[0];
      this.data[i + 1] = background[1];
      this.data[i + 2] = background[2];
      this.data[i + 3] = 255;
    }
  }

  /** Fills [x0, x1) x [y0, y1); edges that fall inside a pixel cover it partly. */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: Rgb, opacity = 1): void {
    const left = Math.max(0, x0), right = Math.min(this.width, x1);
    const top = Math.max(0, y0), bottom = Math.min(this.height, y1);
    if (right <= left || bottom <= top) return;
    for (let row = Math.floor(top); row < Math.ceil(bottom); row++) {
      const rowCover = Math.min(row + 1, bottom) - Math.max(row, top);
      for (let column = Math.floor(left); column < Math.ceil(right); column++) {
        const columnCover = Math.min(column + 1, right) - Math.max(column, left);
        this.blend(row * this.width + column, color, opacity * rowCover * columnCover);
      }
    }
  }

  /** Paints `color` through a coverage mask whose top-left corner lands at (x, y) (whole pixels). */
  drawMask(mask: CoverageMask, x: number, y: number, color: Rgb, opacity = 1): void {
    for (let row = 0; row < mask.height; row++) {
      const canvasRow = y + row;
      if (canvasRow < 0 || canvasRow >= this.height) continue;
      for (let column = 0; column < mask.width; column++) {
        const canvasColumn = x + column;
        const alpha = mask.alpha[row * mask.width + column];
        if (alpha <= 0 || canvasColumn < 0 || canvasColumn >= this.width) continue;
        this.blend(canvasRow * this.width + canvasColumn, color, opacity * alpha);
      }
    }
  }

  toPng(): Uint8Array {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
  }

  private blend(pixel: number, color: Rgb, alpha: number): void {
    if (alpha <= 0) return;
    const a = Math.min(1, alpha);
    const at = pixel * 4;
    for (let channel = 0; channel < 3; channel++) {
      const current = this.data[at + channel];
      this.data[at + channel] = Math.round(current + (color[channel] - current) * a);
    }
  }
}
