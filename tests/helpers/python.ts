/**
 * The Python that training/ runs on (training/README.md: Debian's python3-torch), for the suites that check the
 * training code and its agreement with the TypeScript side. Without it they skip: `describe.skipIf(withoutTorch())`
 * (the rule is helpers/prerequisites.ts).
 */
import { spawnSync } from 'node:child_process';
import { skipWithout } from './prerequisites.ts';

export const PYTHON = process.env.MOTIF_PYTHON ?? '/usr/bin/python3';

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

export const HAS_TORCH = hasTorch();

/** The condition of a suite that runs the training Python: true (skip) when it cannot import torch and numpy. */
export function withoutTorch(): boolean {
  return skipWithout(
    HAS_TORCH,
    `${PYTHON} cannot import torch and numpy`,
    'apt-get install python3-torch python3-numpy, or set MOTIF_PYTHON to a Python that can',
  );
}

/** Runs a Python snippet from the repository root with training/ importable; returns its stdout parsed as JSON. */
export function pythonJson(code: string): unknown {
  const result = spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, 'training')\n${code}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
