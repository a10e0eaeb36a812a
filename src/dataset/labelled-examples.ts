/**
 * The train examples of a built dataset that carry a genre or a mood, with the labels their captions name and their
 * headers. A genre or mood reaches a caption only from the example's own labels or its collection's (docs/PROMPTS.md,
 * "How captions are written"), so reading the captions back with the prompt parser gives each example's labels in
 * the parser's names. The instrument palettes and the genre statistics both count over these.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePrompt } from '../text/prompt.ts';
import { TextTokenizer } from '../text/text-tokenizer.ts';
import { decodeHeader, type ScoreHeader } from '../tokens/tokenizer.ts';
import { readIndex, readSplit, type DatasetIndex } from './reader.ts';

export interface LabelledExample {
  genres: ReadonlySet<string>;
  moods: ReadonlySet<string>;
  header: ScoreHeader;
}

/** Calls `visit` for every train example whose captions name a genre or a mood; returns the dataset's index. */
export function forEachLabelledExample(datasetDir: string, visit: (example: LabelledExample) => void): DatasetIndex {
  const index = readIndex(datasetDir);
  const tokenizer = TextTokenizer.fromJSON(JSON.parse(readFileSync(path.join(datasetDir, index.text_vocab.file), 'utf8')));
  const train = readSplit(datasetDir, 'train');
  for (let i = 0; i < train.count; i++) {
    const genres = new Set<string>();
    const moods = new Set<string>();
    for (const ids of train.captions(i)) {
      const parsed = parsePrompt(tokenizer.decode(Array.from(ids)));
      if (!parsed.ok) continue;
      for (const genre of parsed.attributes.genres ?? []) genres.add(genre);
      for (const mood of parsed.attributes.moods ?? []) moods.add(mood);
    }
    if (genres.size > 0 || moods.size > 0) visit({ genres, moods, header: decodeHeader(train.music(i)) });
  }
  return index;
}
