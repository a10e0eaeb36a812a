/**
 * The dataset on disk, in the compact binary form the Python trainer memory-maps (training/README.md):
 * per split, `S.music.bin` (uint16 token ids, every sequence BOS..EOS back to back), `S.music.idx` (int64 offsets,
 * n + 1), `S.text.bin` (uint16 caption ids, each caption starting with the text BOS), `S.text.idx` (int64 offsets per
 * caption), `S.captions.idx` (int64: example i owns captions [idx[i], idx[i+1])); and `index.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BOS, EOS, MUSIC_VOCAB_HASH, PAD, VOCAB_SIZE } from '../tokens/vocab.ts';
import type { TextTokenizer } from '../text/text-tokenizer.ts';
import type { ProcessedExample } from './process.ts';
import { SPLITS, type Split } from './split.ts';

export const DATASET_FORMAT = 'motif-dataset-v1';
export const MAX_TEXT_TOKENS = 64;

export interface SplitCounts {
  examples: number;
  tokens: number;
  captions: number;
}

function offsets(lengths: number[]): BigInt64Array {
  const result = new BigInt64Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) result[i + 1] = result[i] + BigInt(lengths[i]);
  return result;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

async function writeSplit(dir: string, split: Split, examples: ProcessedExample[], text: TextTokenizer): Promise<SplitCounts> {
  const music = new Uint16Array(examples.reduce((sum, example) => sum + example.tokens.length, 0));
  let at = 0;
  for (const example of examples) {
    music.set(example.tokens, at);
    at += example.tokens.length;
  }
  const captionIds = examples.flatMap((example) => example.captions.map((caption) => text.encode(caption, MAX_TEXT_TOKENS)));
  const textIds = new Uint16Array(captionIds.reduce((sum, ids) => sum + ids.length, 0));
  at = 0;
  for (const ids of captionIds) {
    textIds.set(ids, at);
    at += ids.length;
  }
  await Promise.all([
    writeFile(path.join(dir, `${split}.music.bin`), bytesOf(music)),
    writeFile(path.join(dir, `${split}.music.idx`), bytesOf(offsets(examples.map((example) => example.tokens.length)))),
    writeFile(path.join(dir, `${split}.text.bin`), bytesOf(textIds)),
    writeFile(path.join(dir, `${split}.text.idx`), bytesOf(offsets(captionIds.map((ids) => ids.length)))),
    writeFile(path.join(dir, `${split}.captions.idx`), bytesOf(offsets(examples.map((example) => example.captions.length)))),
  ]);
  return { examples: examples.length, tokens: music.length, captions: captionIds.length };
}

export async function writeDataset(
  dir: string,
  splits: Record<Split, ProcessedExample[]>,
  text: TextTokenizer,
  extra: Record<string, unknown>,
): Promise<Record<Split, SplitCounts>> {
  await mkdir(dir, { recursive: true });
  const counts = {} as Record<Split, SplitCounts>;
  for (const split of SPLITS) counts[split] = await writeSplit(dir, split, splits[split], text);
  await writeFile(path.join(dir, 'text-tokenizer.json'), JSON.stringify(text.toJSON()));
  const index = {
    format: DATASET_FORMAT,
    music_vocab: { size: VOCAB_SIZE, hash: MUSIC_VOCAB_HASH, pad_id: PAD, bos_id: BOS, eos_id: EOS },
    text_vocab: { size: text.vocabSize, hash: text.hash, pad_id: 0, bos_id: 1, file: 'text-tokenizer.json' },
    max_text_tokens: MAX_TEXT_TOKENS,
    splits: counts,
    ...extra,
  };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return counts;
}
