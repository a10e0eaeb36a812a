/**
 * Are any evaluation prompts training captions? Each prompt is encoded with the dataset's text tokenizer (which
 * normalises case, Unicode and spacing, and cuts at the dataset's caption length) and compared with every train
 * caption's ids: equal ids mean equal normalised text.
 */
import { readSplit } from '../dataset/reader.ts';
import { BOS } from '../text/text-tokenizer.ts';
import { datasetTokenizer, type DatasetChoice } from './dataset-match.ts';

export interface CaptionOverlap {
  /** Train captions compared. */
  captions: number;
  prompts: number;
  /** Prompts whose normalised text is a train caption. */
  matches: Array<{ line: number; prompt: string; trainExample: number }>;
}

const keyOf = (ids: ArrayLike<number>) => Array.from(ids).filter((id, i) => !(i === 0 && id === BOS)).join(',');

export function findCaptionOverlap(dataset: DatasetChoice, prompts: ReadonlyArray<{ line: number; prompt: string }>): CaptionOverlap {
  const tokenizer = datasetTokenizer(dataset);
  const wanted = new Map<string, Array<{ line: number; prompt: string }>>();
  for (const item of prompts) {
    if (item.prompt.trim() === '') continue;
    const key = keyOf(tokenizer.encode(item.prompt, dataset.index.max_text_tokens));
    wanted.set(key, [...(wanted.get(key) ?? []), item]);
  }
  const split = readSplit(dataset.dir, 'train');
  const matches: CaptionOverlap['matches'] = [];
  let captions = 0;
  for (let e = 0; e < split.count; e++) {
    for (const caption of split.captions(e)) {
      captions += 1;
      const key = keyOf(caption);
      const hits = wanted.get(key);
      if (!hits) continue;
      for (const hit of hits) matches.push({ ...hit, trainExample: e });
      wanted.delete(key);
    }
  }
  return { captions, prompts: prompts.length, matches: matches.sort((a, b) => a.line - b.line) };
}
