/**
 * The rhythm check (training/rhythm_check.py): a small metrical model trained by train.py on the synthetic set of
 * repeated rhythms must learn where the notes fall, and one trained for 3 steps must be caught not knowing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withoutTorch, PYTHON } from './helpers/python.ts';

const work = mkdtempSync(path.join(tmpdir(), 'motif-rhythm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function rhythmCheck(config: string) {
  const result = spawnSync(PYTHON, ['training/rhythm_check.py', '--out', path.join(work, config), '--config', `training/configs/${config}.json`], {
    encoding: 'utf8',
  });
  const report = result.stdout.split('\n').find((line) => line.startsWith('{'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, report: report ? JSON.parse(report) : undefined };
}

describe.skipIf(withoutTorch())('rhythm check', () => {
  it('fails a model that has not learned the rhythms', () => {
    const run = rhythmCheck('rhythm-check-untrained');
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/FAILED: which-position loss/);
    expect(run.report.which_position).toBeGreaterThan(1);
  }, 300_000);

  it('passes a model trained for a few minutes, well below the bigram count', () => {
    const run = rhythmCheck('rhythm-check');
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.report.which_position).toBeLessThan(0.3);
    expect(run.report.which_position).toBeLessThan(run.report.which_position_bigram / 2);
  }, 900_000);
});
