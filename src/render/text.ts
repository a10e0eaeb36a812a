/**
 * Text in the pictures: Inter (from @fontsource/inter, OFL) parsed with opentype.js and filled by coverage.ts.
 *
 * Glyphs are placed one by one (opentype.js's shaper stops at Inter's contextual substitutions). The Latin subset is
 * loaded first; the Latin-extended, Cyrillic, Greek and Vietnamese subsets only when a character needs them.
 * Characters no subset has (emoji, CJK) are left out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as opentype from 'opentype.js';
import type { Canvas, Rgb } from './canvas.ts';
import { fillPaths, type PathCommand } from './coverage.ts';

const require = createRequire(import.meta.url);
const { parse } = require('opentype.js') as typeof opentype;

export type FontWeight = 400 | 600;

const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'] as const;

interface FontSet {
  fonts: opentype.Font[];
  /** How many of SUBSETS are loaded. */
  loaded: number;
}

const fontSets = new Map<FontWeight, FontSet>();

function loadSubset(weight: FontWeight, subset: string): opentype.Font {
  const bytes = readFileSync(require.resolve(`@fontsource/inter/files/inter-${subset}-${weight}-normal.woff`));
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** The font that has this character, loading further subsets when the loaded ones lack it. */
function fontFor(weight: FontWeight, character: string): opentype.Font | undefined {
  let set = fontSets.get(weight);
  if (!set) {
    set = { fonts: [loadSubset(weight, SUBSETS[0])], loaded: 1 };
    fontSets.set(weight, set);
  }
  const has = (font: opentype.Font) => font.charToGlyphIndex(character) > 0;
  const found = set.fonts.find(has);
  if (found) return found;
  while (set.loaded < SUBSETS.length) {
    const font = loadSubset(weight, SUBSETS[set.loaded]);
    set.fonts.push(font);
    set.loaded += 1;
    if (has(font)) return font;
  }
  return undefined;
}

interface PlacedGlyph {
  glyph: opentype.Glyph;
  x: number;
}

/** Glyphs and pen positions for a line of text at `size` pixels; characters no font has are left out. */
function layout(text: string, size: number, weight: FontWeight): { glyphs: PlacedGlyph[]; width: number } {
  const drawable = [...text].filter((character) => /\s/.test(character) || fontFor(weight, character)).join('');
  const glyphs: PlacedGlyph[] = [];
  let x = 0;
  for (const character of drawable.replace(/\s+/g, ' ').trim()) {
    const font = fontFor(weight, character)!;
    const glyph = font.charToGlyph(character);
    glyphs.push({ glyph, x });
    x += ((glyph.advanceWidth ?? 0) / font.unitsPerEm) * size;
  }
  return { glyphs, width: x };
}

export function measureText(text: string, size: number, weight: FontWeight = 400): number {
  return layout(text, size, weight).width;
}

/** The text, cut with an ellipsis where it would be wider than `maxWidth`. */
export function fitText(text: string, maxWidth: number, size: number, weight: FontWeight = 400): string {
  if (measureText(text, size, weight) <= maxWidth) return text;
  const characters = [...text];
  let low = 0;
  let high = characters.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measureText(characters.slice(0, mid).join('').trimEnd() + '…', size, weight) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return characters.slice(0, low).join('').trimEnd() + '…';
}

export interface TextStyle {
  size: number;
  color: Rgb;
  weight?: FontWeight;
  opacity?: number;
}

/** Draws one line with its baseline at `baseline` and its left edge at `x`; returns its width. */
export function drawText(canvas: Canvas, text: string, x: number, baseline: number, style: TextStyle): number {
  const { glyphs, width } = layout(text, style.size, style.weight ?? 400);
  if (glyphs.length === 0) return 0;
  const pad = 2;
  const ascent = Math.ceil(style.size * 1.1);
  const descent = Math.ceil(style.size * 0.35);
  const left = Math.floor(x) - pad;
  const top = Math.floor(baseline) - ascent - pad;
  const originX = x - left;
  const originY = baseline - top;
  const commands: PathCommand[] = [];
  for (const placed of glyphs) {
    commands.push(...(placed.glyph.getPath(originX + placed.x, originY, style.size).commands as PathCommand[]));
  }
  const mask = fillPaths(commands, Math.ceil(width) + 2 * pad + 2, ascent + descent + 2 * pad);
  canvas.drawMask(mask, left, top, style.color, style.opacity ?? 1);
  return width;
}
