/**
 * The preference loop at small scale (docs/PREFERENCES.md): automatic pairs from the test model -> training/dpo.py
 * for a few steps against the model rebuilt from its export -> training/export.py -> the engine loads the result and
 * composes with it. CI runs it on the smoke model (.ci/run); it takes well under a minute there.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MotifEngine } from '../src/inference/index.ts';
import { openModelFolder } from '../src/inference/manifest.ts';
import { decodeScore, headerLength } from '../src/tokens/tokenizer.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';
import { PYTHON, pythonJson, withoutTorch } from './helpers/python.ts';

const work = mkdtempSync(path.join(tmpdir(), 'motif-preference-loop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROMPTS = ['sad piano in D minor, 4 bars', 'upbeat rock with drums at 140 bpm, 4 bars', 'a waltz for strings, 4 bars', 'lo-fi beat 90bpm, 4 bars'];

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, MOTIF_THREADS: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const python = (script: string, args: string[]) => run(PYTHON, [`training/${script}`, ...args]);
const jsonLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));

describe.skipIf(withoutModel() || withoutTorch())('automatic preferences -> DPO -> export -> the engine', () => {
  const pairsFile = path.join(work, 'pairs.jsonl');
  const runDir = path.join(work, 'dpo');
  const exported = path.join(work, 'model');

  it('writes automatic pairs in the versioned format, with the text ids and the forced header of each take', async () => {
    const prompts = path.join(work, 'prompts.jsonl');
    writeFileSync(prompts, PROMPTS.map((prompt) => `${JSON.stringify({ prompt })}\n`).join(''));
    const stdout = run(process.execPath, ['bin/motif.js', 'auto-preferences', '--prompts', prompts, '--takes', '2', '--min-margin', '0',
      '--model', MODEL_DIR!, '--out', pairsFile]);
    expect(stdout).toMatch(/wrote \d automatic preference pairs/);
    const pairs = jsonLines(pairsFile);
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    const folder = await openModelFolder(MODEL_DIR!);
    for (const pair of pairs) {
      expect(pair).toMatchObject({ format: 'motif-preference-v1', source: 'automatic', conditioning: 'compose', request: null, textTokenizer: folder.tokenizer.hash });
      expect(PROMPTS).toContain(pair.prompt);
      expect(pair.textIds).toEqual(folder.tokenizer.encode(pair.prompt, folder.dims.maxTextLen));
      expect(pair.chosen.score).toBeGreaterThan(pair.rejected.score);
      expect(pair.margin).toBeCloseTo(pair.chosen.score - pair.rejected.score, 12);
      for (const side of [pair.chosen, pair.rejected]) {
        // A new piece: the engine forced its header and nothing after it.
        expect(side.forced).toBe(headerLength(side.tokens));
        expect(side.modelId).toBe(folder.manifest.id);
        expect(decodeScore(side.tokens).tracks.length).toBeGreaterThan(0);
      }
    }
  }, 120_000);

  it('learns only from the tokens after the forced ones', () => {
    const learn = pythonJson(`
import json
from preferences import Pair, Side, collate
batch = collate([Pair("p", "votes", [1, 5], Side([1, 7, 8, 9, 10, 2], 3), Side([1, 7, 8, 2], 2))])
print(json.dumps(batch["learn"].tolist()))`) as number[][];
    // Target k is token k + 1: the chosen take learns tokens 3..5, the rejected one tokens 2..3; padding learns nothing.
    expect(learn).toEqual([[0, 0, 1, 1, 1], [0, 1, 1, 0, 0]]);
  });

  it('refuses pairs whose text ids come from another tokenizer, and a file of another format', () => {
    const checked = pythonJson(`
import json
from preferences import PreferenceError, read_pairs
answers = []
for tokenizer in ("the-models-own", "another"):
    try:
        pairs, dropped = read_pairs(${JSON.stringify(pairsFile)}, tokenizer, 641, 100000, 1024)
        answers.append(len(pairs))
    except PreferenceError as error:
        answers.append(str(error))
print(json.dumps(answers))`.replace('the-models-own', jsonLines(pairsFile)[0].textTokenizer)) as [number, string];
    expect(checked[0]).toBe(jsonLines(pairsFile).length);
    expect(checked[1]).toMatch(/pairs.jsonl:1: text ids from tokenizer .* but the model's is another/);
    const other = path.join(work, 'other-format.jsonl');
    writeFileSync(other, `${JSON.stringify({ ...jsonLines(pairsFile)[0], format: 'motif-preference-v0' })}\n`);
    expect(() => pythonJson(`from preferences import read_pairs; read_pairs(${JSON.stringify(other)}, "x", 641, 100000, 1024)`))
      .toThrow(/format 'motif-preference-v0', expected 'motif-preference-v1'/);
  });

  it('dpo.py trains against the rebuilt model, and its log gives held-out preference accuracy and KL', () => {
    const init = path.join(work, 'init.pt');
    python('recover.py', ['--models', MODEL_DIR!, '--out', init]);
    const stdout = python('dpo.py', ['--init', init, '--models', MODEL_DIR!, '--pairs', pairsFile, '--out', runDir, '--steps', '4',
      '--batch-pairs', '2', '--lr', '1e-3', '--eval-interval', '2', '--heldout', '0.25', '--threads', '1']);
    expect(stdout).toMatch(/held-out preference accuracy 0\.500 -> /);
    const log = jsonLines(path.join(runDir, 'log.jsonl'));
    const heldout = log.filter((row) => row.kind === 'heldout');
    expect(heldout.map((row) => row.step)).toEqual([0, 2, 4]);
    // Before the first step the policy is the reference: chance accuracy, no divergence.
    expect(heldout[0]).toMatchObject({ accuracy: 0.5, logratio_margin: 0, kl_per_token: 0 });
    expect(heldout[2].kl_per_token).toBeGreaterThan(0);
    const train = log.filter((row) => row.kind === 'train');
    expect(train).toHaveLength(4);
    // The preferences it trains on: their loss falls from log 2.
    expect(train[3].loss).toBeLessThan(train[0].loss);
  }, 120_000);

  it('exports a model whose manifest names the preference data, and the engine composes with it', async () => {
    python('export.py', ['--ckpt', path.join(runDir, 'dpo.pt'), '--out', exported]);
    const manifest = JSON.parse(readFileSync(path.join(exported, 'manifest.json'), 'utf8'));
    const reference = JSON.parse(readFileSync(path.join(MODEL_DIR!, 'manifest.json'), 'utf8'));
    expect(manifest.id).toMatch(/-dpo-/);
    expect(manifest.training.preferences).toMatchObject({
      file: 'pairs.jsonl', sha256: createHash('sha256').update(readFileSync(pairsFile)).digest('hex'), pairs: jsonLines(pairsFile).length,
      automatic: jsonLines(pairsFile).length, votes: 0, beta: 0.1, steps: 4, reference: reference.id,
    });
    expect(manifest.training.init).toMatchObject({ from: reference.id, method: 'dpo' });
    const engine = await MotifEngine.load({ modelDir: exported, threads: 1 });
    try {
      expect(engine.modelId).toBe(manifest.id);
      const piece = await engine.compose({ prompt: PROMPTS[0], seed: 3 });
      expect(piece.modelId).toBe(manifest.id);
      expect(piece.score.tracks.length).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
