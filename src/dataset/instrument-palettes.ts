/**
 * Counts the instrument palettes of src/music/instrument-palettes.ts from a built dataset: for every train example,
 * the genres the prompt parser reads in its captions and the instruments its header lists.
 */
import { PALETTES_FORMAT, type GenrePalette, type InstrumentPalettes } from '../music/instrument-palettes.ts';
import { forEachLabelledExample } from './labelled-examples.ts';

export interface PaletteOptions {
  /** Genres with fewer examples are left out: too few to say what they use. */
  minExamples: number;
  /** Instruments below this share of a genre's examples are left out. */
  minShare: number;
}

export const DEFAULT_PALETTE_OPTIONS: PaletteOptions = { minExamples: 50, minShare: 0.03 };

export function buildInstrumentPalettes(datasetDir: string, options: PaletteOptions = DEFAULT_PALETTE_OPTIONS): InstrumentPalettes {
  const examples = new Map<string, number>();
  const uses = new Map<string, Map<number, number>>();
  const index = forEachLabelledExample(datasetDir, ({ genres, header }) => {
    const instruments = new Set(header.instruments);
    for (const genre of genres) {
      examples.set(genre, (examples.get(genre) ?? 0) + 1);
      let counts = uses.get(genre);
      if (!counts) uses.set(genre, (counts = new Map()));
      for (const id of instruments) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  });
  const genres: Record<string, GenrePalette> = {};
  for (const [genre, total] of [...examples].sort(([a], [b]) => a.localeCompare(b))) {
    if (total < options.minExamples) continue;
    const shares = [...uses.get(genre)!]
      .map(([id, count]) => [id, count / total] as const)
      .filter(([, share]) => share >= options.minShare)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    genres[genre] = { examples: total, instruments: Object.fromEntries(shares.map(([id, share]) => [String(id), Number(share.toFixed(3))])) };
  }
  return { format: PALETTES_FORMAT, dataset: index.text_vocab.hash, genres };
}
