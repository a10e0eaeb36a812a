/**
 * `motif auto-preferences (--prompts FILE.jsonl | --train-captions N [--data DIR]) --takes N --out pairs.jsonl`:
 * automatic preference pairs (docs/PREFERENCES.md), the best and the worst of N takes per prompt by the music reward.
 * The prompt file is the eval's format (`{"prompt": ..., "expect": {...}}`, `expect` optional); --train-captions
 * takes captions of the model's training split instead.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config } from '../config.ts';
import { ModelFilesError, ModelMismatchError, MotifEngine } from '../inference/index.ts';
import { autoPreferences, type AutoPrompt } from '../eval/auto-preferences.ts';
import { findDataset, trainedSplits } from '../eval/dataset-match.ts';
import { PromptFileError, readPromptFile } from '../eval/prompt-file.ts';
import { loadReference } from '../eval/reference.ts';
import { trainCaptions } from '../eval/train-captions.ts';
import { preferenceLines } from '../store/preferences.ts';
import { InputError } from './input.ts';

const USAGE = 'usage: motif auto-preferences (--prompts FILE.jsonl | --train-captions N [--data DIR]) --out pairs.jsonl '
  + '[--takes N] [--first-seed N] [--min-margin R] [--model DIR] [--concurrency N]';

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InputError(`--${name} must be a whole number from ${min} up, not "${text}"`);
  return value;
}

function promptsFrom(values: { prompts?: string; 'train-captions'?: string; data?: string }, modelDir: string, textHash: string | null): AutoPrompt[] {
  if ((values.prompts === undefined) === (values['train-captions'] === undefined)) throw new InputError(`${USAGE}\n(one of --prompts and --train-captions)`);
  if (values.prompts !== undefined) {
    try {
      return readPromptFile(values.prompts).filter((item) => !item.expectation.error).map((item) => ({ prompt: item.prompt, expectation: item.expectation }));
    } catch (error) {
      if (error instanceof PromptFileError) throw new InputError(error.message);
      throw error;
    }
  }
  const lookup = findDataset(textHash, values.data, trainedSplits(modelDir));
  if (!lookup.found) throw new InputError(lookup.reason);
  return trainCaptions(lookup.dataset, wholeNumber('train-captions', values['train-captions']!, 1)).map((prompt) => ({ prompt }));
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompts: { type: 'string' },
      'train-captions': { type: 'string' },
      data: { type: 'string' },
      takes: { type: 'string', default: '4' },
      'first-seed': { type: 'string', default: '1' },
      'min-margin': { type: 'string', default: '0.05' },
      model: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.out || positionals.length) throw new InputError(USAGE);
  const takes = wholeNumber('takes', values.takes, 2);
  const minMargin = Number(values['min-margin']);
  if (!(minMargin >= 0)) throw new InputError(`--min-margin must be a number from 0 up, not "${values['min-margin']}"`);
  const reference = loadReference();
  if (!reference) throw new InputError('docs/metrics-reference.json is missing: the reward compares with the real songs it holds');
  const settings = config();
  const modelDir = values.model ?? settings.modelDir;
  const log = (line: string) => console.error(`auto-preferences: ${line}`);
  const engine = await MotifEngine.load({ modelDir, log }).catch((error: unknown) => {
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(error.message);
    throw error;
  });
  try {
    const prompts = promptsFrom(values, modelDir, engine.model.manifest.text_vocab_hash);
    const { tokenizer, dims } = engine.model;
    const result = await autoPreferences({
      engine, prompts, takes, firstSeed: wholeNumber('first-seed', values['first-seed'], 0), minMargin, reference,
      text: { hash: tokenizer.hash, encode: (text) => tokenizer.encode(text, dims.maxTextLen) },
      concurrency: values.concurrency ? wholeNumber('concurrency', values.concurrency, 1) : settings.maxBatch,
      log,
    });
    await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await writeFile(values.out, preferenceLines(result.pairs));
    console.log(`wrote ${result.pairs.length} automatic preference pairs to ${values.out} from ${prompts.length} prompts x ${takes} takes `
      + `(mean reward chosen ${result.meanChosen.toFixed(3)}, rejected ${result.meanRejected.toFixed(3)}; `
      + `${result.tooClose} prompts too close to pair, ${result.refused.length} refused)`);
  } finally {
    await engine.close();
  }
}
