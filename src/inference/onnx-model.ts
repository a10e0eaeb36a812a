/**
 * The exported model as two calls: `encodeText` (captions -> cross-attention keys/values, once per request) and
 * `decode` (new tokens + cache -> the last logits + the cache holding the new tokens), following training/export.py's
 * contract in either of its cache layouts (decoder-layouts.ts).
 */
import type { InstrumentPalettes } from '../music/instrument-palettes.ts';
import { decoderLayout, type DecodeInput, type DecodeOutput, type DecoderLayout } from './decoder-layouts.ts';
import { int64Feed, int64Values } from './feeds.ts';
import type { ModelDims, ModelFolder, ModelManifest } from './manifest.ts';
import { openModelFolder } from './manifest.ts';
import { createSessions, inThreadRunner, type Device, type GraphRunner } from './sessions.ts';
import { startWorkerRunner } from './worker-runner.ts';
import type { CapacityRule, CrossState } from './tensors.ts';
import type { TextTokenizer } from '../text/text-tokenizer.ts';

export type { DecodeInput, DecodeOutput } from './decoder-layouts.ts';

export interface LoadOptions {
  device: Device;
  threads: number;
  log?: (line: string) => void;
  /** Where the graphs run: a worker thread (the default; worker-runner.ts says why) or this thread. */
  thread?: 'worker' | 'main';
}

export class OnnxMusicModel {
  readonly manifest: ModelManifest;
  readonly dims: ModelDims;
  readonly tokenizer: TextTokenizer;
  readonly device: Device;
  /** Instruments per genre, when the model folder has them. */
  readonly palettes: InstrumentPalettes | undefined;
  private readonly runner: GraphRunner;
  private readonly layout: DecoderLayout;

  private constructor(folder: ModelFolder, runner: GraphRunner) {
    this.manifest = folder.manifest;
    this.dims = folder.dims;
    this.tokenizer = folder.tokenizer;
    this.palettes = folder.palettes;
    this.runner = runner;
    this.device = runner.device;
    this.layout = decoderLayout(runner.decoderInputs, folder.dims);
  }

  /** Checks the folder (manifest, vocabularies, checksums) and opens both sessions. */
  static async load(dir: string, options: LoadOptions): Promise<OnnxMusicModel> {
    const folder = await openModelFolder(dir);
    const runner = options.thread === 'main'
      ? inThreadRunner(await createSessions(folder.encoderPath, folder.decoderPath, options))
      : await startWorkerRunner(folder.encoderPath, folder.decoderPath, options);
    return new OnnxMusicModel(folder, runner);
  }

  get id(): string {
    return this.manifest.id;
  }

  /** The decoder's cache layout: 'slots' (written in place) or 'growing' (earlier exports). */
  get cacheLayout(): DecoderLayout['name'] {
    return this.layout.name;
  }

  /** Columns to allocate for a cache rebuilt around `columns` used ones (tensors.ts stackCacheRows). */
  get cacheCapacity(): CapacityRule {
    return this.layout.capacity;
  }

  /** Text ids of a caption, BOS first, cut to the model's text length. An empty text gives [BOS]. */
  textIds(text: string): number[] {
    return this.tokenizer.encode(text, this.dims.maxTextLen);
  }

  /** Cross-attention keys/values for captions (token ids, BOS first), padded to the longest. */
  async encodeText(captions: readonly number[][]): Promise<CrossState> {
    const rows = captions.length;
    const columns = Math.max(...captions.map((ids) => ids.length));
    const ids = new Array<number>(rows * columns).fill(0);
    const mask = new BigInt64Array(rows * columns);
    captions.forEach((caption, r) => caption.forEach((id, c) => {
      ids[r * columns + c] = id;
      mask[r * columns + c] = 1n;
    }));
    const out = await this.runner.run('encoder', { text_ids: int64Feed(int64Values(ids), [rows, columns]), text_mask: int64Feed(mask, [rows, columns]) });
    return { k: out.cross_k.data as Float32Array, v: out.cross_v.data as Float32Array, mask, rows, columns, lengths: captions.map((c) => c.length) };
  }

  async decode(input: DecodeInput): Promise<DecodeOutput> {
    const { feeds, cache } = this.layout.feeds(input);
    const out = await this.runner.run('decoder', feeds, [cache, input.cross]);
    return this.layout.result(input, cache, out);
  }

  async release(): Promise<void> {
    await this.runner.release();
  }
}
