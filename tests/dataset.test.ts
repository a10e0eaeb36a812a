import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, DEFAULT_BUILD_OPTIONS } from '../src/dataset/build.ts';
import type { BuildReport } from '../src/dataset/card.ts';
import { buildInstrumentPalettes } from '../src/dataset/instrument-palettes.ts';
import { readIndex, readSplit } from '../src/dataset/reader.ts';
import { SPLITS } from '../src/dataset/split.ts';
import { isValid } from '../src/tokens/grammar.ts';
import { parsePrompt } from '../src/text/prompt.ts';
import { decodeHeader } from '../src/tokens/tokenizer.ts';
import { MUSIC_VOCAB_HASH } from '../src/tokens/vocab.ts';
import { DATA_DIR, withoutData } from './helpers/data.ts';

const LIMIT = 6;

/** Hashes of every file but the data card, which records how long the build took. */
function digestFolder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((name) => name !== 'DATA.md').sort().map((name) => [name, createHash('sha1').update(readFileSync(path.join(dir, name))).digest('hex')]));
}

async function build(): Promise<{ dir: string; report: BuildReport }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'motif-dataset-'));
  const report = await buildDataset({ ...DEFAULT_BUILD_OPTIONS, dataDir: DATA_DIR, outDir: dir, limit: LIMIT });
  return { dir, report };
}

describe.skipIf(withoutData())('dataset build on a small --limit set', () => {
  let first: { dir: string; report: BuildReport };
  let second: { dir: string; report: BuildReport };
  beforeAll(async () => {
    first = await build();
    second = await build();
  }, 600_000);

  it('is deterministic: same data and seed, same bytes', () => {
    expect(digestFolder(second.dir)).toEqual(digestFolder(first.dir));
  });

  it('draws examples from every collection', () => {
    const sources = new Set(SPLITS.flatMap((split) => first.report.splits[split].map((example) => example.source)));
    for (const source of ['freemidi', 'vgmusic', 'riddim', 'freedoom', 'pop909', 'groove', 'nottingham', 'vgmidi', 'music21']) {
      expect(sources, source).toContain(source);
    }
  });

  it('never puts one song in two splits', () => {
    const owner = new Map<string, string>();
    for (const split of SPLITS) {
      for (const example of first.report.splits[split]) {
        expect(owner.get(example.songId) ?? split, example.songId).toBe(split);
        owner.set(example.songId, split);
      }
    }
  });

  it('writes sequences that all pass the grammar, with three or more captions that all tokenize', () => {
    const index = readIndex(first.dir);
    expect(index.music_vocab.hash).toBe(MUSIC_VOCAB_HASH);
    let examples = 0;
    let empty = 0;
    for (const split of SPLITS) {
      const reader = readSplit(first.dir, split);
      expect(reader.count).toBe(index.splits[split].examples);
      for (let i = 0; i < reader.count; i++) {
        const music = reader.music(i);
        expect(music.length).toBeLessThanOrEqual(index.max_music_tokens);
        expect(isValid(music)).toBe(true);
        const captions = reader.captions(i);
        const nonEmpty = captions.filter((ids) => ids.length > 1);
        expect(nonEmpty.length).toBeGreaterThanOrEqual(3);
        empty += captions.length - nonEmpty.length;
        for (const ids of captions) {
          expect(ids[0]).toBe(index.text_vocab.bos_id);
          for (const id of ids) expect(id).toBeLessThan(index.text_vocab.size);
        }
        examples += 1;
      }
    }
    expect(examples).toBeGreaterThan(50);
    expect(empty).toBeGreaterThan(0);
  });
  it('counts which instruments each genre uses, from the genres its captions name and the instruments its headers list', () => {
    const palettes = buildInstrumentPalettes(first.dir, { minExamples: 1, minShare: 0 });
    const index = readIndex(first.dir);
    expect(palettes.dataset).toBe(index.text_vocab.hash);
    const genres = Object.entries(palettes.genres);
    expect(genres.length).toBeGreaterThan(3);
    const train = readSplit(first.dir, 'train');
    const played = new Set<number>();
    for (let i = 0; i < train.count; i++) for (const id of decodeHeader(train.music(i)).instruments) played.add(id);
    for (const [genre, palette] of genres) {
      expect(parsePrompt(genre).ok, genre).toBe(true);
      expect(palette.examples).toBeGreaterThan(0);
      for (const [id, share] of Object.entries(palette.instruments)) {
        expect(played.has(Number(id))).toBe(true);
        expect(share).toBeGreaterThan(0);
        expect(share).toBeLessThanOrEqual(1);
      }
    }
    // The assembled lo-fi arrangements are electric piano, bass and drums.
    expect(Object.keys(palettes.genres.lofi?.instruments ?? {})).toContain('4');
  });
});
