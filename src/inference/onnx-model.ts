/**
 * The exported model as the engine calls it: `encodeText` (captions -> cross-attention keys/values, once per
 * request), `decode` (new tokens + cache -> the last logits + the cache holding the new tokens), and the cache copies
 * that batching needs, following training/export.py's contract in either of its cache layouts (decoder-layouts.ts).
 * The arrays stay with the sessions (model-host.ts, in a worker thread by default); this side holds handles.
 */
import type { InstrumentPalettes } from '../music/instrument-palettes.ts';
import type { ModelDims, ModelFolder, ModelManifest } from './manifest.ts';
import { openModelFolder } from './manifest.ts';
import { ModelHost, type HostDecodeInput, type ModelHostApi } from './model-host.ts';
import { createSessions, type Device } from './sessions.ts';
import type { CacheRows, CrossState, KvCache } from './tensors.ts';
import type { TextTokenizer } from '../text/text-tokenizer.ts';
import { startWorkerHost } from './worker-host.ts';

export type DecodeInput = HostDecodeInput;

export interface DecodeOutput {
  /** [rows, vocab]: the logits after each row's last new token. */
  logits: Float32Array;
  /** The cache holding the new tokens: the input's own handle, updated, unless the cache had to move. */
  cache: KvCache;
}

export interface LoadOptions {
  device: Device;
  threads: number;
  log?: (line: string) => void;
  /** Where the sessions run: a worker thread (the default; worker-host.ts says why) or this thread. */
  thread?: 'worker' | 'main';
}

export class OnnxMusicModel {
  readonly manifest: ModelManifest;
  readonly dims: ModelDims;
  readonly tokenizer: TextTokenizer;
  readonly device: Device;
  /** Instruments per genre, when the model folder has them. */
  readonly palettes: InstrumentPalettes | undefined;
  private readonly host: ModelHostApi;
  /** State whose handle this side dropped without releasing it is released when the handle is collected. */
  private readonly dropped = new FinalizationRegistry<number>((id) => this.host.release([id]));

  private constructor(folder: ModelFolder, host: ModelHostApi, device: Device) {
    this.manifest = folder.manifest;
    this.dims = folder.dims;
    this.tokenizer = folder.tokenizer;
    this.palettes = folder.palettes;
    this.host = host;
    this.device = device;
  }

  /** Checks the folder (manifest, vocabularies, checksums) and opens both sessions. */
  static async load(dir: string, options: LoadOptions): Promise<OnnxMusicModel> {
    const folder = await openModelFolder(dir);
    if (options.thread === 'main') {
      const sessions = await createSessions(folder.encoderPath, folder.decoderPath, options);
      return new OnnxMusicModel(folder, new ModelHost(sessions, folder.dims), sessions.device);
    }
    const host = await startWorkerHost(folder.encoderPath, folder.decoderPath, folder.dims, options);
    return new OnnxMusicModel(folder, host, host.device);
  }

  get id(): string {
    return this.manifest.id;
  }

  /** The decoder's cache layout: 'slots' (written in place) or 'growing' (earlier exports). */
  get cacheLayout(): ModelHostApi['layout'] {
    return this.host.layout;
  }

  /** Text ids of a caption, BOS first, cut to the model's text length. An empty text gives [BOS]. */
  textIds(text: string): number[] {
    return this.tokenizer.encode(text, this.dims.maxTextLen);
  }

  /** Cross-attention keys/values for captions (token ids, BOS first), padded to the longest. */
  async encodeText(captions: readonly number[][]): Promise<CrossState> {
    return this.track(await this.host.encode(captions.map((ids) => [...ids])));
  }

  async decode(input: DecodeInput): Promise<DecodeOutput> {
    const out = await this.host.decode({ ...input, cache: { ...input.cache }, cross: { ...input.cross } });
    return { logits: out.logits, cache: this.adopt(input.cache, out.cache) };
  }

  /** One cache of the given rows, stacked in order, right-aligned (tensors.ts stackCacheRows). */
  async stackCacheRows(parts: readonly CacheRows<KvCache>[]): Promise<KvCache> {
    const stacked = await this.host.stackCache(parts.map((part) => ({ ...part, cache: { ...part.cache } })));
    return parts.find((part) => part.cache.id === stacked.id && stacked.id !== 0)?.cache ?? this.track(stacked);
  }

  /** Cross states of several requests as one batch; a single one is returned as it is. */
  async stackCross(parts: readonly CrossState[]): Promise<CrossState> {
    if (parts.length === 1) return parts[0];
    return this.track(await this.host.stackCross(parts.map((part) => ({ ...part }))));
  }

  /** Frees the state behind handles this side will not use again. */
  forget(...handles: Array<KvCache | CrossState | undefined>): void {
    const ids = handles.flatMap((handle) => (handle && handle.id !== 0 ? [handle.id] : []));
    for (const handle of handles) if (handle) this.dropped.unregister(handle);
    this.host.release(ids);
  }

  /** Closes the sessions (and their thread); the model cannot be used afterwards. */
  async release(): Promise<void> {
    await this.host.close();
  }

  /** The handle after a decode: `before` itself while the id holds, else a new one (the old id is gone). */
  private adopt(before: KvCache, after: KvCache): KvCache {
    if (after.id === before.id && before.id !== 0) {
      before.columns = after.columns;
      before.capacity = after.capacity;
      return before;
    }
    if (before.id !== 0) this.dropped.unregister(before);
    return this.track(after);
  }

  private track<H extends KvCache | CrossState>(handle: H): H {
    if (handle.id !== 0) this.dropped.register(handle, handle.id, handle);
    return handle;
  }
}
