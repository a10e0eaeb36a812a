/**
 * The exported model as two calls: `encodeText` (captions -> cross-attention keys/values, once per request) and
 * `decode` (new tokens + cache -> logits + the grown cache), following training/export.py's contract.
 */
import * as ort from 'onnxruntime-node';
import type { InstrumentPalettes } from '../music/instrument-palettes.ts';
import type { ModelDims, ModelFolder, ModelManifest } from './manifest.ts';
import { openModelFolder } from './manifest.ts';
import { createSessions, type Device, type ModelSessions } from './sessions.ts';
import { int64Tensor, type CrossState, type KvCache } from './tensors.ts';
import type { TextTokenizer } from '../text/text-tokenizer.ts';

export interface DecodeInput {
  /** [rows * newTokens], row-major. */
  inputIds: BigInt64Array;
  positionIds: BigInt64Array;
  /** [rows * newTokens]: where each new token stands in its bar (bar-position.ts); read by a metrical model only. */
  barPositionIds: BigInt64Array;
  /** [rows * (cache.columns + newTokens)], 1 = attend. */
  attentionMask: BigInt64Array;
  rows: number;
  newTokens: number;
  cache: KvCache;
  cross: CrossState;
}

export interface DecodeOutput {
  /** [rows, newTokens, vocab]. */
  logits: Float32Array;
  cache: KvCache;
}

export interface LoadOptions {
  device: Device;
  threads: number;
  log?: (line: string) => void;
}

export class OnnxMusicModel {
  readonly manifest: ModelManifest;
  readonly dims: ModelDims;
  readonly tokenizer: TextTokenizer;
  readonly device: Device;
  /** Instruments per genre, when the model folder has them. */
  readonly palettes: InstrumentPalettes | undefined;
  private readonly sessions: ModelSessions;

  private constructor(folder: ModelFolder, sessions: ModelSessions) {
    this.manifest = folder.manifest;
    this.dims = folder.dims;
    this.tokenizer = folder.tokenizer;
    this.palettes = folder.palettes;
    this.sessions = sessions;
    this.device = sessions.device;
  }

  /** Checks the folder (manifest, vocabularies, checksums) and opens both sessions. */
  static async load(dir: string, options: LoadOptions): Promise<OnnxMusicModel> {
    const folder = await openModelFolder(dir);
    const sessions = await createSessions(folder.encoderPath, folder.decoderPath, options);
    return new OnnxMusicModel(folder, sessions);
  }

  get id(): string {
    return this.manifest.id;
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
    const mask = new Array<number>(rows * columns).fill(0);
    captions.forEach((caption, r) => caption.forEach((id, c) => {
      ids[r * columns + c] = id;
      mask[r * columns + c] = 1;
    }));
    const textMask = int64Tensor(mask, [rows, columns]);
    const out = await this.sessions.encoder.run({ text_ids: int64Tensor(ids, [rows, columns]), text_mask: textMask });
    return { k: out.cross_k, v: out.cross_v, mask: textMask, rows, columns, lengths: captions.map((c) => c.length) };
  }

  async decode(input: DecodeInput): Promise<DecodeOutput> {
    const { rows, newTokens, cache, cross } = input;
    const out = await this.sessions.decoder.run({
      input_ids: new ort.Tensor('int64', input.inputIds, [rows, newTokens]),
      position_ids: new ort.Tensor('int64', input.positionIds, [rows, newTokens]),
      attention_mask: new ort.Tensor('int64', input.attentionMask, [rows, cache.columns + newTokens]),
      past_k: cache.k,
      past_v: cache.v,
      cross_k: cross.k,
      cross_v: cross.v,
      text_mask: cross.mask,
      ...(this.dims.metrical ? { bar_position_ids: new ort.Tensor('int64', input.barPositionIds, [rows, newTokens]) } : {}),
    });
    return {
      logits: out.logits.data as Float32Array,
      cache: { k: out.present_k, v: out.present_v, rows, columns: cache.columns + newTokens },
    };
  }

  async release(): Promise<void> {
    await Promise.all([this.sessions.encoder.release(), this.sessions.decoder.release()]);
  }
}
