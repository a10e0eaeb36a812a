/**
 * Prompts from the training list: one caption of each of `count` train examples spread evenly over the split (a
 * seeded choice among the example's non-empty captions, as test-split.ts does for the test split), decoded with the
 * dataset's text tokenizer. For automatic preferences, which must never be tuned on the evaluation's prompts.
 */
import { readSplit } from '../dataset/reader.ts';
import { createRandom } from '../music/random.ts';
import { datasetTokenizer, type DatasetChoice } from './dataset-match.ts';
import { sampleExamples } from './test-split.ts';

export function trainCaptions(dataset: DatasetChoice, count: number): string[] {
  const split = readSplit(dataset.dir, 'train');
  const tokenizer = datasetTokenizer(dataset);
  const captions: string[] = [];
  for (const example of sampleExamples(split.count, count)) {
    const texts = split.captions(example).map((ids) => tokenizer.decode(Array.from(ids)).trim()).filter((text) => text !== '');
    if (texts.length) captions.push(createRandom(example).pick(texts));
  }
  return captions;
}
