/**
 * Where the tests find an exported model: $MOTIF_TEST_MODEL, else data/smoke-model (the smoke model of
 * docs/INFERENCE.md), else models/. Undefined when there is none; suites that need one are skipped then.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findModelDir(): string | undefined {
  const stated = process.env.MOTIF_TEST_MODEL;
  if (stated) {
    if (!existsSync(path.join(stated, 'manifest.json'))) throw new Error(`MOTIF_TEST_MODEL=${stated} holds no manifest.json`);
    return path.resolve(stated);
  }
  return ['data/smoke-model', 'models'].map((dir) => path.resolve(dir)).find((dir) => existsSync(path.join(dir, 'manifest.json')));
}

export const MODEL_DIR = findModelDir();

if (!MODEL_DIR) console.warn('no exported model (MOTIF_TEST_MODEL, data/smoke-model, models/): the inference suites are skipped');
