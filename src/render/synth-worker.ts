/**
 * One synthesis thread of the pool: loads its own FluidSynth and SoundFont, then renders the tracks it is given.
 */
import { workerData } from 'node:worker_threads';
import type { Score } from '../music/score.ts';
import { reportStartFailure, serveJobs } from './job-thread.ts';
import { loadSoundFont } from './soundfonts.ts';
import { synthesize, type SynthesisOptions } from './synthesize.ts';

export interface SynthJob {
  score: Score;
  options: SynthesisOptions;
}

export interface SynthResult {
  left: Float32Array;
  right: Float32Array;
}

const { soundfont } = workerData as { soundfont: string };

try {
  const font = await loadSoundFont(soundfont);
  serveJobs<SynthJob, SynthResult>(async ({ score, options }) => {
    const { left, right } = await synthesize(font, score, options);
    return { result: { left, right }, transfer: [left.buffer as ArrayBuffer, right.buffer as ArrayBuffer] };
  });
} catch (error) {
  reportStartFailure(error as Error);
}
