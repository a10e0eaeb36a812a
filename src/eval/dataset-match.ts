/**
 * The built dataset a model was trained on. A manifest does not name its dataset, but it states the hash of its text
 * vocabulary (and, from training, the examples per split), which the dataset's index.json states too: the folder given
 * explicitly, else among `data/built` and the other folders under `data/` whose hash matches, the first whose split
 * sizes match as well, else the first.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readIndex, type DatasetIndex } from '../dataset/reader.ts';
import { TextTokenizer } from '../text/text-tokenizer.ts';

export interface DatasetChoice {
  dir: string;
  index: DatasetIndex;
  /** True when the dataset's text vocabulary is the model's. */
  matchesModel: boolean;
  how: 'given' | 'matched';
}

export type DatasetLookup = { found: true; dataset: DatasetChoice } | { found: false; reason: string };

function hasIndex(dir: string): boolean {
  return existsSync(path.join(dir, 'index.json')) && existsSync(path.join(dir, 'train.music.bin'));
}

/**
 * `given`: a folder named by the user (used even when its vocabulary differs: the report says so). Otherwise searches
 * `searchRoot` (default `data`) for the model's dataset.
 */
export function findDataset(
  modelTextHash: string | null,
  given?: string,
  trainedOn?: Partial<Record<string, { examples?: number }>>,
  searchRoot = 'data',
): DatasetLookup {
  if (given) {
    const dir = path.resolve(given);
    if (!hasIndex(dir)) return { found: false, reason: `${given} holds no built dataset (index.json, train.music.bin)` };
    const index = readIndex(dir);
    return { found: true, dataset: { dir, index, matchesModel: index.text_vocab.hash === modelTextHash, how: 'given' } };
  }
  const root = path.resolve(searchRoot);
  if (!existsSync(root)) return { found: false, reason: `no dataset: ${searchRoot}/ does not exist` };
  const names = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const ordered = [...names.filter((name) => name === 'built'), ...names.filter((name) => name !== 'built')];
  const matching: DatasetChoice[] = [];
  for (const name of ordered) {
    const dir = path.join(root, name);
    if (!hasIndex(dir)) continue;
    const index = readIndex(dir);
    if (modelTextHash !== null && index.text_vocab.hash === modelTextHash) matching.push({ dir, index, matchesModel: true, how: 'matched' });
  }
  const sameSplits = (choice: DatasetChoice) => trainedOn !== undefined
    && Object.entries(choice.index.splits).every(([split, sizes]) => trainedOn[split]?.examples === sizes.examples);
  const best = matching.find(sameSplits) ?? matching[0];
  if (best) return { found: true, dataset: best };
  return { found: false, reason: `no built dataset under ${searchRoot}/ has the model's text vocabulary (${modelTextHash ?? 'unknown'}); pass --data DIR` };
}

/** The split sizes a model's training saw (manifest.json `training.dataset_splits`), when its manifest states them. */
export function trainedSplits(modelDir: string): Record<string, { examples?: number }> | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as { training?: { dataset_splits?: Record<string, { examples?: number }> } };
    return manifest.training?.dataset_splits;
  } catch {
    return undefined;
  }
}

/** The dataset's own text tokenizer (the one its caption ids were written with). */
export function datasetTokenizer(dataset: DatasetChoice): TextTokenizer {
  return TextTokenizer.fromJSON(JSON.parse(readFileSync(path.join(dataset.dir, dataset.index.text_vocab.file), 'utf8')));
}
