/**
 * Originality: the longest run of consecutive bars of a generated piece that also occurs, in the same order, in one
 * training example. The index holds the fingerprint of every non-empty bar of the train split (bar-fingerprints.ts)
 * with its place ("slot") in the split; it is built once and cached next to the dataset as `bar-index.bin`, rebuilt
 * when the train split's files change.
 *
 * Empty bars are skipped on both sides: a run counts non-empty bars, so a rest bar neither breaks nor lengthens it.
 * Training examples are windows of 4-16 bars of a song, so a run is at most one window long.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readSplit } from '../dataset/reader.ts';
import { partitionPoint } from '../music/partition-point.ts';
import { BAR } from '../tokens/vocab.ts';
import { barFingerprints, FINGERPRINT_KINDS, type FingerprintKind } from './bar-fingerprints.ts';

export const BAR_INDEX_FILE = 'bar-index.bin';
const MAGIC = 'MBIX';
const VERSION = 1;

export interface BarIndexTable {
  /** Fingerprints of all indexed bars, ascending. */
  hashes: Float64Array;
  /** The slot of each bar in `hashes`' order; consecutive bars of one example have consecutive slots. */
  slots: Uint32Array;
  /** First slot of each example, then the end; one unused slot separates examples so no run crosses two. */
  exampleStarts: Uint32Array;
}

export interface BarIndex {
  examples: number;
  tables: Record<FingerprintKind, BarIndexTable>;
}

interface SourceStamp {
  musicBytes: number;
  musicMtimeMs: number;
  indexBytes: number;
  indexMtimeMs: number;
}

interface FileHeader {
  version: number;
  source: SourceStamp;
  examples: number;
  bars: Record<FingerprintKind, number>;
}

function sourceStamp(datasetDir: string): SourceStamp {
  const music = statSync(path.join(datasetDir, 'train.music.bin'));
  const index = statSync(path.join(datasetDir, 'train.music.idx'));
  return { musicBytes: music.size, musicMtimeMs: Math.round(music.mtimeMs), indexBytes: index.size, indexMtimeMs: Math.round(index.mtimeMs) };
}

/** Indexes every non-empty bar of the dataset's train split. */
export function buildBarIndex(datasetDir: string): BarIndex {
  const split = readSplit(datasetDir, 'train');
  let barTokens = 0;
  for (let e = 0; e < split.count; e++) for (const id of split.music(e)) if (id === BAR) barTokens += 1;
  const tables = {} as Record<FingerprintKind, BarIndexTable>;
  const filling = FINGERPRINT_KINDS.map((kind) => ({
    kind,
    hashes: new Float64Array(barTokens),
    slots: new Uint32Array(barTokens),
    starts: new Uint32Array(split.count + 1),
    bars: 0,
    cursor: 0,
  }));
  for (let e = 0; e < split.count; e++) {
    const prints = barFingerprints(split.music(e));
    for (const table of filling) {
      table.starts[e] = table.cursor;
      for (const hash of prints[table.kind]) {
        if (hash === 0) continue;
        table.hashes[table.bars] = hash;
        table.slots[table.bars++] = table.cursor++;
      }
      table.cursor += 1;
    }
  }
  for (const { kind, hashes, slots, starts, bars, cursor } of filling) {
    starts[split.count] = cursor;
    const order = new Uint32Array(bars).map((_, i) => i).sort((a, b) => hashes[a] - hashes[b] || a - b);
    const sortedHashes = new Float64Array(bars);
    const sortedSlots = new Uint32Array(bars);
    order.forEach((from, to) => {
      sortedHashes[to] = hashes[from];
      sortedSlots[to] = slots[from];
    });
    tables[kind] = { hashes: sortedHashes, slots: sortedSlots, exampleStarts: starts };
  }
  return { examples: split.count, tables };
}

function padTo8(length: number): number {
  return (8 - (length % 8)) % 8;
}

export function writeBarIndex(file: string, index: BarIndex, source: SourceStamp): void {
  const header: FileHeader = {
    version: VERSION,
    source,
    examples: index.examples,
    bars: Object.fromEntries(FINGERPRINT_KINDS.map((kind) => [kind, index.tables[kind].hashes.length])) as Record<FingerprintKind, number>,
  };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(json.length, 4);
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    const write = (bytes: Uint8Array) => writeSync(fd, bytes);
    const view = (array: Float64Array | Uint32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    write(prefix);
    write(json);
    write(Buffer.alloc(padTo8(8 + json.length)));
    for (const kind of FINGERPRINT_KINDS) {
      const table = index.tables[kind];
      write(view(table.hashes));
      write(view(table.slots));
      write(Buffer.alloc(padTo8(table.slots.byteLength)));
      write(view(table.exampleStarts));
      write(Buffer.alloc(padTo8(table.exampleStarts.byteLength)));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The cached index, or undefined when the file is missing, of another version, or older than the split. */
export function readBarIndex(file: string, source: SourceStamp): BarIndex | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  if (bytes.length < 8 || bytes.toString('ascii', 0, 4) !== MAGIC) return undefined;
  const jsonLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + jsonLength)) as FileHeader;
  if (header.version !== VERSION || JSON.stringify(header.source) !== JSON.stringify(source)) return undefined;
  // A private, 8-byte aligned copy, so the typed arrays below can view it directly.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let offset = 8 + jsonLength + padTo8(8 + jsonLength);
  const tables = {} as Record<FingerprintKind, BarIndexTable>;
  for (const kind of FINGERPRINT_KINDS) {
    const count = header.bars[kind];
    const hashes = new Float64Array(buffer, offset, count);
    offset += count * 8;
    const slots = new Uint32Array(buffer, offset, count);
    offset += count * 4 + padTo8(count * 4);
    const exampleStarts = new Uint32Array(buffer, offset, header.examples + 1);
    offset += (header.examples + 1) * 4 + padTo8((header.examples + 1) * 4);
    tables[kind] = { hashes, slots, exampleStarts };
  }
  return { examples: header.examples, tables };
}

/** The cached index of a dataset folder, built and written first when there is none (or it is stale). */
export function loadBarIndex(datasetDir: string): { index: BarIndex; built: boolean; ms: number } {
  const start = performance.now();
  const file = path.join(datasetDir, BAR_INDEX_FILE);
  const source = sourceStamp(datasetDir);
  const cached = readBarIndex(file, source);
  if (cached) return { index: cached, built: false, ms: performance.now() - start };
  const index = buildBarIndex(datasetDir);
  writeBarIndex(file, index, source);
  return { index, built: true, ms: performance.now() - start };
}

export interface TrainingRun {
  /** Non-empty bars in the piece. */
  bars: number;
  /** Share of those bars found anywhere in the train split (NaN without non-empty bars). */
  inTraining: number;
  /** Longest run of consecutive non-empty bars found in that order in one training example. */
  longestRun: number;
  /** The train example holding that run (its index in the split), or null when no bar matched. */
  trainExample: number | null;
}

/** The example holding a slot: the last whose first slot is at or before it (an example with no bars holds none). */
function exampleOfSlot(starts: Uint32Array, slot: number): number {
  return partitionPoint(starts.length, (i) => starts[i] <= slot) - 1;
}

/** How much of a piece (its bar fingerprints) the train split already holds. */
export function longestTrainingRun(table: BarIndexTable, fingerprints: ArrayLike<number>): TrainingRun {
  const bars = Array.from(fingerprints).filter((hash) => hash !== 0);
  let found = 0;
  let best = 0;
  let bestSlot = -1;
  // Run length ending at each slot where the previous bar matched; a run continues only to the very next slot.
  let previous = new Map<number, number>();
  for (const hash of bars) {
    const current = new Map<number, number>();
    for (let i = partitionPoint(table.hashes.length, (k) => table.hashes[k] < hash); i < table.hashes.length && table.hashes[i] === hash; i++) {
      const slot = table.slots[i];
      const run = (previous.get(slot - 1) ?? 0) + 1;
      current.set(slot, run);
      if (run > best) [best, bestSlot] = [run, slot];
    }
    if (current.size > 0) found += 1;
    previous = current;
  }
  return {
    bars: bars.length,
    inTraining: bars.length ? found / bars.length : NaN,
    longestRun: best,
    trainExample: bestSlot >= 0 ? exampleOfSlot(table.exampleStarts, bestSlot) : null,
  };
}
