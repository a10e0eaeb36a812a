/**
 * text2midi's protocol on our own test split: compose from one caption of each sampled test example and compare the
 * result's tempo and key with the example's ground truth (its header tokens), as TB / TBT / CK / CKD. The published
 * numbers of text2midi and MuseCoco on MidiCaps are printed beside ours for orientation only: another dataset,
 * another caption writer.
 */
import { readSplit } from '../dataset/reader.ts';
import { isUserFacing, type MotifEngine } from '../inference/index.ts';
import { detectKey } from '../analysis/key-detection.ts';
import { keyName } from '../music/keys.ts';
import { dominantBpm, keyMatch, keyMatchOrRelative, tempoBinMatch, tempoBinNearMatch } from '../analysis/metrics/index.ts';
import { parsePrompt } from '../text/prompt.ts';
import { createRandom } from '../music/random.ts';
import { decodeHeader } from '../tokens/tokenizer.ts';
import { mapConcurrent } from './concurrent.ts';
import { datasetTokenizer, type DatasetChoice } from './dataset-match.ts';

/** Percent on MidiCaps, from text2midi's README (January 2025). */
export const PUBLISHED_TEXT2MIDI = {
  source: 'text2midi README (github.com/AMAAI-Lab/Text2midi), January 2025; MidiCaps test set',
  text2midi: { TB: 39.7, TBT: 65.8, CK: 33.6, CKD: 35.6 },
  MuseCoco: { TB: 21.71, TBT: 54.63, CK: 13.7, CKD: 14.59 },
} as const;

export interface TestSplitItem {
  example: number;
  caption: string;
  truth: { bpm: number; key: string | null };
  /** Null when the caption was refused or the request failed. */
  output: { bpm: number; key: string | null } | null;
  /** What the prompt parser read from the caption (and the engine therefore forced). */
  stated: { bpm: boolean; tempoRange: boolean; key: boolean };
  error?: string;
  TB?: boolean;
  TBT?: boolean;
  CK?: boolean;
  CKD?: boolean;
}

export interface TestSplitResult {
  examples: number;
  /** Test examples in the split. */
  available: number;
  composed: number;
  /** Percent over composed pieces (CK/CKD: over those whose ground truth has a key). */
  TB: number;
  TBT: number;
  CK: number;
  CKD: number;
  /** Percent of the captions whose BPM / key the prompt parser read (and forced). */
  statedBpm: number;
  statedKey: number;
  published: typeof PUBLISHED_TEXT2MIDI;
  items: TestSplitItem[];
}

/** Example indices spread evenly over the split, so that every source is represented. */
export function sampleExamples(available: number, count: number): number[] {
  const n = Math.min(count, available);
  return Array.from({ length: n }, (_, k) => Math.floor((k * available) / n));
}

const percent = (hits: number, total: number) => (total ? (100 * hits) / total : NaN);

export async function runTestSplit(engine: MotifEngine, dataset: DatasetChoice, count: number, options: { seed?: number; concurrency?: number } = {}): Promise<TestSplitResult> {
  const split = readSplit(dataset.dir, 'test');
  const tokenizer = datasetTokenizer(dataset);
  const examples = sampleExamples(split.count, count);
  const items = await mapConcurrent(examples, options.concurrency ?? 4, async (example): Promise<TestSplitItem> => {
    const header = decodeHeader(split.music(example));
    const captions = split.captions(example).map((ids) => tokenizer.decode(Array.from(ids))).filter((text) => text.trim() !== '');
    const caption = captions.length ? createRandom(example).pick(captions) : '';
    const parsed = parsePrompt(caption);
    const attributes = parsed.ok ? parsed.attributes : {};
    const item: TestSplitItem = {
      example,
      caption,
      truth: { bpm: header.bpm, key: header.key ? keyName(header.key) : null },
      output: null,
      stated: { bpm: attributes.bpm !== undefined, tempoRange: attributes.tempoRange !== undefined, key: attributes.key !== undefined },
    };
    try {
      const piece = await engine.compose({ prompt: caption, seed: options.seed ?? 1 });
      const bpm = dominantBpm(piece.score);
      const key = detectKey(piece.score).key;
      item.output = { bpm: Math.round(bpm), key: key ? keyName(key) : null };
      item.TB = tempoBinMatch(header.bpm, bpm);
      item.TBT = tempoBinNearMatch(header.bpm, bpm);
      if (header.key) {
        item.CK = keyMatch(header.key, key);
        item.CKD = keyMatchOrRelative(header.key, key);
      }
    } catch (error) {
      // A refusal is the parser's answer to this caption; anything else is a fault, kept in the report, not fatal.
      item.error = isUserFacing(error) ? (error as Error).message : `failed: ${String((error as Error).stack ?? error)}`;
    }
    return item;
  });
  const composed = items.filter((item) => item.output !== null);
  const keyed = composed.filter((item) => item.CK !== undefined);
  const hitsOf = (list: TestSplitItem[], field: 'TB' | 'TBT' | 'CK' | 'CKD') => list.filter((item) => item[field]).length;
  return {
    examples: items.length,
    available: split.count,
    composed: composed.length,
    TB: percent(hitsOf(composed, 'TB'), composed.length),
    TBT: percent(hitsOf(composed, 'TBT'), composed.length),
    CK: percent(hitsOf(keyed, 'CK'), keyed.length),
    CKD: percent(hitsOf(keyed, 'CKD'), keyed.length),
    statedBpm: percent(items.filter((item) => item.stated.bpm).length, items.length),
    statedKey: percent(items.filter((item) => item.stated.key).length, items.length),
    published: PUBLISHED_TEXT2MIDI,
    items,
  };
}
