/** Reads a built dataset back (tests, evaluation on the test split): the inverse of writer.ts. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Split } from './split.ts';

export interface DatasetIndex {
  format: string;
  music_vocab: { size: number; hash: string; pad_id: number; bos_id: number; eos_id: number };
  text_vocab: { size: number; hash: string; pad_id: number; bos_id: number; file: string };
  max_music_tokens: number;
  max_text_tokens: number;
  splits: Record<Split, { examples: number; tokens: number; captions: number }>;
}

export interface SplitReader {
  count: number;
  music(i: number): Uint16Array;
  /** Text-token ids of example i's captions. */
  captions(i: number): Uint16Array[];
}

function readArray<T>(file: string, make: (buffer: ArrayBuffer, offset: number, length: number) => T, width: number): T {
  const bytes = readFileSync(file);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return make(copy, 0, bytes.byteLength / width);
}

const u16 = (file: string) => readArray(file, (b, o, n) => new Uint16Array(b, o, n), 2);
const i64 = (file: string) => readArray(file, (b, o, n) => new BigInt64Array(b, o, n), 8);

export function readIndex(dir: string): DatasetIndex {
  return JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as DatasetIndex;
}

export function readSplit(dir: string, split: Split): SplitReader {
  const music = u16(path.join(dir, `${split}.music.bin`));
  const musicIdx = i64(path.join(dir, `${split}.music.idx`));
  const text = u16(path.join(dir, `${split}.text.bin`));
  const textIdx = i64(path.join(dir, `${split}.text.idx`));
  const captionIdx = i64(path.join(dir, `${split}.captions.idx`));
  return {
    count: musicIdx.length - 1,
    music: (i) => music.subarray(Number(musicIdx[i]), Number(musicIdx[i + 1])),
    captions: (i) => {
      const result: Uint16Array[] = [];
      for (let c = Number(captionIdx[i]); c < Number(captionIdx[i + 1]); c++) result.push(text.subarray(Number(textIdx[c]), Number(textIdx[c + 1])));
      return result;
    },
  };
}
