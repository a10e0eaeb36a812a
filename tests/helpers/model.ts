/**
 * Where the tests find an exported model: $MOTIF_TEST_MODEL, else data/smoke-model (the smoke model of
 * docs/INFERENCE.md), else models/ (the shipped one, committed). Suites that need one skip without it:
 * `describe.skipIf(withoutModel())` (the rule is helpers/prerequisites.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findDataset, trainedSplits, type DatasetChoice } from '../../src/eval/dataset-match.ts';
import { skipWithout } from './prerequisites.ts';

function findModelDir(): string | undefined {
  const stated = process.env.MOTIF_TEST_MODEL;
  if (stated) {
    if (!existsSync(path.join(stated, 'manifest.json'))) throw new Error(`MOTIF_TEST_MODEL=${stated} holds no manifest.json`);
    return path.resolve(stated);
  }
  return ['data/smoke-model', 'models'].map((dir) => path.resolve(dir)).find((dir) => existsSync(path.join(dir, 'manifest.json')));
}

export const MODEL_DIR = findModelDir();

/** The condition of a suite that needs an exported model: true (skip) when there is none. */
export function withoutModel(): boolean {
  return skipWithout(
    MODEL_DIR !== undefined,
    'no exported model (MOTIF_TEST_MODEL, data/smoke-model, models/ with a manifest.json)',
    'set MOTIF_TEST_MODEL to a folder from training/export.py, or restore models/ (training/README.md)',
  );
}

/** The built dataset the test model was trained on (found under data/ by its text vocabulary), if it is here. */
export function modelDataset(): DatasetChoice | undefined {
  if (!MODEL_DIR) return undefined;
  const manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8')) as { text_vocab_hash: string };
  const lookup = findDataset(manifest.text_vocab_hash, undefined, trainedSplits(MODEL_DIR));
  return lookup.found ? lookup.dataset : undefined;
}

/** The condition of a suite that needs the model's own built dataset: true (skip) when it is not under data/. */
export function withoutModelDataset(): boolean {
  if (withoutModel()) return true;
  return skipWithout(
    modelDataset() !== undefined,
    `no built dataset under data/ has the text vocabulary of the model in ${path.relative(process.cwd(), MODEL_DIR!) || '.'}`,
    'build the one it was trained on (npx motif dataset, training/README.md) to run these',
  );
}
