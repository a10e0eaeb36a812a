/**
 * `motif dataset`: every source of the shared data -> windows -> captioned, tokenized examples -> binary splits,
 * a text tokenizer and a data card. Pieces are processed on all cores; results are taken in a fixed order, so the
 * same data and seed give the same bytes.
 */
import path from 'node:path';
import { trainTextTokenizer } from '../text/text-tokenizer.ts';
import { COLLECTIONS, type RawPiece } from './sources/collections.ts';
import { PiecePool } from './pool.ts';
import { DEFAULT_PROCESS_OPTIONS, type PieceTask, type ProcessedExample, type ProcessOptions, type ProcessResult } from './process.ts';
import { SPLITS, splitOf, type Split } from './split.ts';
import { writeDataset, type SplitCounts } from './writer.ts';
import { writeDataCard, type BuildReport, type SourceTallyForCard } from './card.ts';
import { PART_SOURCES } from './sources/parts.ts';
import { assembledExampleCount } from './sources/assembled.ts';
import { AGREEMENT_TABLE_HEADER, formatAgreement, measureMoodAgreement } from './mood-agreement.ts';

export interface BuildOptions {
  dataDir: string;
  outDir: string;
  /** Pieces per source (a small set for tests); unlimited when left out. */
  limit?: number;
  seed: number;
  /** Assembled examples stop once their tokens reach this share of all tokens. */
  maxAssembledShare: number;
  textVocabSize: number;
  cardPath?: string;
  process: ProcessOptions;
  onProgress?: (message: string) => void;
}

export const DEFAULT_BUILD_OPTIONS: Omit<BuildOptions, 'dataDir' | 'outDir'> = {
  seed: 1,
  maxAssembledShare: 0.2,
  textVocabSize: 4000,
  process: DEFAULT_PROCESS_OPTIONS,
};

function taskOf(piece: RawPiece): PieceTask {
  return { ...piece, assembled: false };
}

export async function buildDataset(options: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  const pool = new PiecePool({ ...options.process, seed: options.seed });
  const tallies = new Map<string, SourceTallyForCard>();
  const accepted: ProcessedExample[] = [];
  const seenPieces = new Set<string>();
  const seenWindows = new Set<string>();
  let realTokens = 0;
  let assembledTokens = 0;

  const tally = (source: string, origin?: string) => {
    let entry = tallies.get(source);
    if (!entry) tallies.set(source, (entry = { pieces: 0, skipped: {}, duplicatePieces: 0, duplicateWindows: 0, origins: [] }));
    if (origin && !entry.origins.includes(origin)) entry.origins.push(origin);
    return entry;
  };
  const take = (result: ProcessResult, source: string) => {
    const entry = tally(source);
    entry.pieces += 1;
    if (result.skipped) entry.skipped[result.skipped] = (entry.skipped[result.skipped] ?? 0) + 1;
    if (result.pieceHash) {
      if (seenPieces.has(result.pieceHash)) {
        entry.duplicatePieces += 1;
        return;
      }
      seenPieces.add(result.pieceHash);
    }
    for (const example of result.examples) {
      if (seenWindows.has(example.contentHash)) {
        entry.duplicateWindows += 1;
        continue;
      }
      seenWindows.add(example.contentHash);
      accepted.push(example);
      if (example.assembled) assembledTokens += example.tokens.length;
      else realTokens += example.tokens.length;
    }
  };

  // Results are consumed in submission order; at most `window` pieces are in flight.
  const inFlight: Array<{ source: string; result: Promise<ProcessResult> }> = [];
  const window = 16;
  const drainTo = async (size: number) => {
    while (inFlight.length > size) {
      const next = inFlight.shift()!;
      take(await next.result, next.source);
    }
  };
  const progress = (source: string) => {
    options.onProgress?.(`${source}: ${tally(source).pieces} pieces | ${accepted.length} examples | ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };

  for (const [name, open] of Object.entries(COLLECTIONS)) {
    for await (const piece of open(options.dataDir, { limit: options.limit })) {
      tally(name, piece.origin);
      inFlight.push({ source: name, result: pool.submit(taskOf(piece)) });
      await drainTo(window);
      if (tally(name).pieces % 50 === 0) progress(name);
    }
    await drainTo(0);
    progress(name);
  }
  for (const part of PART_SOURCES) {
    // Assembled arrangements are sized from the real material before them, to stay a minority of the tokens.
    const limit = part.assembled
      ? Math.min(options.limit ?? Infinity, assembledExampleCount(realTokens, options.maxAssembledShare))
      : options.limit;
    for await (const example of part.open(options.dataDir, { limit, seed: options.seed })) {
      // The estimate above is per example on average; this holds the share exactly.
      if (example.assembled && assembledTokens >= (options.maxAssembledShare / (1 - options.maxAssembledShare)) * realTokens) continue;
      tally(part.name, example.origin);
      inFlight.push({ source: part.name, result: pool.submit({ ...example, format: 'score' }) });
      await drainTo(window);
    }
    await drainTo(0);
    progress(part.name);
  }
  await pool.close();

  const splits: Record<Split, ProcessedExample[]> = { train: [], validation: [], test: [] };
  for (const example of accepted) splits[splitOf(example.songId, options.seed)].push(example);

  // The text vocabulary is learnt from the training captions only.
  const textTokenizer = trainTextTokenizer(
    splits.train.flatMap((example) => example.captions.filter((caption) => caption.length > 0)),
    { vocabSize: options.textVocabSize },
  );
  const counts: Record<Split, SplitCounts> = await writeDataset(options.outDir, splits, textTokenizer, {
    max_music_tokens: options.process.windows.maxTokens,
    seed: options.seed,
    limit: options.limit ?? null,
  });
  const agreement = await measureMoodAgreement(options.dataDir, 'phrases');
  const report: BuildReport = {
    moodAgreement: `The mood rules of docs/MOODS.md against VGMIDI's human valence/arousal labels (the labelled phrases):\n\n${AGREEMENT_TABLE_HEADER}\n${formatAgreement(agreement)}`,
    options: { dataDir: path.relative(process.cwd(), options.dataDir) || '.', limit: options.limit, seed: options.seed },
    seconds: (Date.now() - started) / 1000,
    counts,
    splits,
    tallies: Object.fromEntries(tallies),
  };
  await writeDataCard(options.cardPath ?? path.join(options.outDir, 'DATA.md'), report);
  return report;
}

export { SPLITS };
