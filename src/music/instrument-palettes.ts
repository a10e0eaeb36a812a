/**
 * Instrument palettes: which instruments real examples of each genre play, counted from the training data
 * (src/dataset/instrument-palettes.ts, `npx motif palettes`). When a prompt names a genre but no instruments
 * ("lo-fi beat"), the engine lets the model choose that piece's instruments only among its genre's palette
 * (docs/INFERENCE.md), so a genre's piece gets the instruments that genre's examples play. (The first shipped model did
 * not read its caption; without palettes it drew timpani for "lo-fi beat".)
 */
import { DRUMS } from './score.ts';

export const PALETTES_FORMAT = 'motif-instrument-palettes-v1';

export interface GenrePalette {
  /** Train examples whose captions name the genre. */
  examples: number;
  /** GM program (DRUMS = 128) -> share of those examples whose header lists it (3 decimals). */
  instruments: Record<string, number>;
}

export interface InstrumentPalettes {
  format: typeof PALETTES_FORMAT;
  /** The text vocabulary hash of the dataset counted. */
  dataset: string;
  genres: Record<string, GenrePalette>;
}

/**
 * The instruments (pitched and drums) the genres named use, or undefined when none of them has a palette or the
 * palette holds no pitched instrument (a piece in a key needs one).
 */
export function paletteFor(palettes: InstrumentPalettes | undefined, genres: readonly string[] | undefined): number[] | undefined {
  if (!palettes || !genres?.length) return undefined;
  const ids = new Set<number>();
  for (const genre of genres) for (const id of Object.keys(palettes.genres[genre]?.instruments ?? {})) ids.add(Number(id));
  return [...ids].some((id) => id !== DRUMS) ? [...ids].sort((a, b) => a - b) : undefined;
}

/** Reads a palettes file, or undefined when it is not one (the engine then lets the model choose from everything). */
export function parsePalettes(json: unknown): InstrumentPalettes | undefined {
  const value = json as Partial<InstrumentPalettes> | null;
  return value && value.format === PALETTES_FORMAT && typeof value.genres === 'object' ? (value as InstrumentPalettes) : undefined;
}
