/**
 * The model folder that training/export.py writes: encoder.onnx, decoder.onnx, text-tokenizer.json, parity.json and
 * manifest.json, which names them with their sha256 and states the vocabularies the model was trained on. A model
 * whose vocabularies differ from this code's is refused: its token ids would mean other things.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parsePalettes, type InstrumentPalettes } from '../music/instrument-palettes.ts';
import { TextTokenizer } from '../text/text-tokenizer.ts';
import { BOS, EOS, MUSIC_VOCAB_HASH, PAD, VOCAB_SIZE } from '../tokens/vocab.ts';
import { ModelFilesError, ModelMismatchError } from './errors.ts';

const fileEntry = z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

const manifestSchema = z.object({
  id: z.string().min(1),
  format: z.literal('motif-model-v1'),
  architecture: z.object({
    music_vocab: z.number().int().positive(),
    text_vocab: z.number().int().positive(),
    d_model: z.number().int().positive(),
    n_heads: z.number().int().positive(),
    dec_layers: z.number().int().positive(),
    head_dim: z.number().int().positive(),
    max_music_len: z.number().int().min(32),
    max_text_len: z.number().int().positive(),
    /** The decoder takes bar_position_ids (training/model.py); models exported before it have no such field. */
    metrical: z.boolean().optional(),
  }),
  special_ids: z.object({
    music: z.object({ pad_id: z.number().int(), bos_id: z.number().int(), eos_id: z.number().int() }),
    text: z.object({ pad_id: z.number().int(), bos_id: z.number().int() }),
  }),
  music_vocab_hash: z.string().nullable(),
  text_vocab_hash: z.string().nullable(),
  files: z.object({ encoder: fileEntry, decoder: fileEntry, text_tokenizer: fileEntry.optional(), parity: fileEntry.optional() }),
  /** Sampling this model was measured to work best with (models/MODEL.md says why); the environment overrides it. */
  sampling: z.object({ guidance: z.number().min(0).max(20).optional() }).optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

/** The sizes the engine needs to build tensors. */
export interface ModelDims {
  layers: number;
  heads: number;
  headDim: number;
  vocab: number;
  maxMusicLen: number;
  maxTextLen: number;
  /** Whether the decoder reads each token's bar position. */
  metrical: boolean;
}

export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  dims: ModelDims;
  tokenizer: TextTokenizer;
  encoderPath: string;
  decoderPath: string;
  /** instrument-palettes.json when the folder has a valid one (npx motif palettes). */
  palettes?: InstrumentPalettes;
}

async function readJson(file: string, what: string): Promise<unknown> {
  if (!existsSync(file)) throw new ModelFilesError(`${what} is missing: ${file}`);
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ModelFilesError(`${what} is not valid JSON: ${file} (${(error as Error).message})`);
  }
}

export function parseManifest(json: unknown, source: string): ModelManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ModelFilesError(`${source} is not a motif-model-v1 manifest (${problems.join('; ')})`);
  }
  return parsed.data;
}

/** Refuses a manifest whose music vocabulary or special ids differ from this code's. */
export function checkMusicVocabulary(manifest: ModelManifest): void {
  if (manifest.music_vocab_hash !== MUSIC_VOCAB_HASH) {
    throw new ModelMismatchError(
      `model ${manifest.id} was trained on music vocabulary ${manifest.music_vocab_hash ?? '(none stated)'}, but this code's is ` +
      `${MUSIC_VOCAB_HASH}: export a model trained on the current vocabulary, or check out the code it was trained with`,
    );
  }
  const { music } = manifest.special_ids;
  if (manifest.architecture.music_vocab !== VOCAB_SIZE || music.pad_id !== PAD || music.bos_id !== BOS || music.eos_id !== EOS) {
    throw new ModelMismatchError(`model ${manifest.id} has ${manifest.architecture.music_vocab} music tokens with special ids ` +
      `${JSON.stringify(music)}; this code has ${VOCAB_SIZE} with pad ${PAD}, bos ${BOS}, eos ${EOS}`);
  }
}

/** Refuses a text tokenizer other than the one the manifest names. */
export function checkTextTokenizer(manifest: ModelManifest, tokenizer: TextTokenizer): void {
  if (manifest.text_vocab_hash !== tokenizer.hash) {
    throw new ModelMismatchError(`model ${manifest.id} was trained with text tokenizer ${manifest.text_vocab_hash ?? '(none stated)'}, ` +
      `but the text-tokenizer.json beside it is ${tokenizer.hash}`);
  }
  if (tokenizer.vocabSize > manifest.architecture.text_vocab) {
    throw new ModelMismatchError(`the text tokenizer has ${tokenizer.vocabSize} ids, more than the model's ${manifest.architecture.text_vocab}`);
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function checkFile(dir: string, entry: z.infer<typeof fileEntry>): Promise<string> {
  const file = path.join(dir, entry.name);
  if (!existsSync(file)) throw new ModelFilesError(`${entry.name} is missing from ${dir}`);
  const actual = await sha256Of(file);
  if (actual !== entry.sha256) {
    throw new ModelMismatchError(`${file} does not match its manifest (sha256 ${actual.slice(0, 12)}..., expected ${entry.sha256.slice(0, 12)}...): export the model again`);
  }
  return file;
}

/** Optional: which instruments each genre uses (src/music/instrument-palettes.ts). */
export const PALETTES_FILE = 'instrument-palettes.json';

/** Reads and checks a model folder: manifest, vocabularies, text tokenizer and the ONNX files' checksums. */
export async function openModelFolder(dir: string): Promise<ModelFolder> {
  const folder = path.resolve(dir);
  const manifest = parseManifest(await readJson(path.join(folder, 'manifest.json'), 'manifest.json'), path.join(folder, 'manifest.json'));
  checkMusicVocabulary(manifest);
  const tokenizerName = manifest.files.text_tokenizer?.name ?? 'text-tokenizer.json';
  const tokenizerJson = await readJson(path.join(folder, tokenizerName), 'the text tokenizer');
  let tokenizer: TextTokenizer;
  try {
    tokenizer = TextTokenizer.fromJSON(tokenizerJson);
  } catch (error) {
    throw new ModelFilesError(`${tokenizerName} is not a text tokenizer: ${(error as Error).message}`);
  }
  checkTextTokenizer(manifest, tokenizer);
  const [encoderPath, decoderPath] = await Promise.all([checkFile(folder, manifest.files.encoder), checkFile(folder, manifest.files.decoder)]);
  const a = manifest.architecture;
  const palettesFile = path.join(folder, PALETTES_FILE);
  const palettes = existsSync(palettesFile) ? parsePalettes(await readJson(palettesFile, PALETTES_FILE)) : undefined;
  return {
    dir: folder,
    manifest,
    tokenizer,
    encoderPath,
    decoderPath,
    palettes,
    dims: {
      layers: a.dec_layers, heads: a.n_heads, headDim: a.head_dim, vocab: a.music_vocab,
      maxMusicLen: a.max_music_len, maxTextLen: a.max_text_len, metrical: a.metrical ?? false,
    },
  };
}
