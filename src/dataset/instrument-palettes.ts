/**
 * Counts the instrument palettes of src/music/instrument-palettes.ts from a built dataset: for every train example,
 * the genres the prompt parser reads in its captions and the instruments its header lists.
 */
import { parsePrompt } from '../text/prompt.ts';
import { TextTokenizer } from '../text/text-tokenizer.ts';
import { decodeHeader } from '../tokens/tokenizer.ts';
import { PALETTES_FORMAT, type GenrePalette, type InstrumentPalettes } from '../music/instrument-palettes.ts';
import { readIndex, readSplit } from './reader.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PaletteOptions {
  /** Genres with fewer examples are left out: too few to say what they use. */
  minExamples: number;
  /** Instruments below this share of a genre's examples are left out. */
  minShare: number;
}

export const DEFAULT_PALETTE_OPTIONS: PaletteOptions = { minExamples: 50, minShare: 0.03 };

export function buildInstrumentPalettes(datasetDir: string, options: PaletteOptions = DEFAULT_PALETTE_OPTIONS): InstrumentPalettes {
  const index = readIndex(datasetDir);
  const tokenizer = TextTokenizer.fromJSON(JSON.parse(readFileSync(path.join(datasetDir, index.text_vocab.file), 'utf8')));
  const train = readSplit(datasetDir, 'train');
  const examples = new Map<string, number>();
  const uses = new Map<string, Map<number, number>>();
  for (let i = 0; i < train.count; i++) {
    const genres = new Set<string>();
    for (const ids of train.captions(i)) {
      const parsed = parsePrompt(tokenizer.decode(Array.from(ids)));
      if (parsed.ok) for (const genre of parsed.attributes.genres ?? []) genres.add(genre);
    }
    if (genres.size === 0) continue;
    const instruments = new Set(decodeHeader(train.music(i)).instruments);
    for (const genre of genres) {
      examples.set(genre, (examples.get(genre) ?? 0) + 1);
      let counts = uses.get(genre);
      if (!counts) uses.set(genre, (counts = new Map()));
      for (const id of instruments) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
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
