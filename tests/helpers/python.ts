/**
 * The Python that training/ runs on (training/README.md: Debian's python3-torch), for the suites that check the
 * training code and its agreement with the TypeScript side. Without it those suites skip with one line, except where
 * MOTIF_REQUIRE_ALL is set (.ci/run sets it), where a missing prerequisite fails instead.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.MOTIF_PYTHON ?? '/usr/bin/python3';

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

export const HAS_TORCH = hasTorch();

if (!HAS_TORCH) {
  const why = `${PYTHON} cannot import torch and numpy (apt-get install python3-torch python3-numpy)`;
  if (process.env.MOTIF_REQUIRE_ALL) throw new Error(`${why}, and MOTIF_REQUIRE_ALL is set`);
  console.warn(`${why}: the training suites are skipped`);
}

/** Runs a Python snippet from the repository root with training/ importable; returns its stdout parsed as JSON. */
export function pythonJson(code: string): unknown {
  const result = spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, 'training')\n${code}`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
