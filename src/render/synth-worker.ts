/**
 * One synthesis thread of the pool: loads its own FluidSynth and SoundFont, then renders the tracks it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Score } from '../music/score.ts';
import { loadSoundFont } from './soundfonts.ts';
import { synthesize, type SynthesisOptions } from './synthesize.ts';

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string; soundFontError: boolean }
  | { kind: 'audio'; job: number; left: Float32Array; right: Float32Array }
  | { kind: 'error'; job: number; message: string };

export interface WorkerJob {
  job: number;
  score: Score;
  options: SynthesisOptions;
}

const port = parentPort!;
const { soundfont } = workerData as { soundfont: string };

try {
  const font = await loadSoundFont(soundfont);
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
  port.on('message', async ({ job, score, options }: WorkerJob) => {
    try {
      const { left, right } = await synthesize(font, score, options);
      port.postMessage({ kind: 'audio', job, left, right } satisfies WorkerReply, [left.buffer as ArrayBuffer, right.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ kind: 'error', job, message: (error as Error).message } satisfies WorkerReply);
    }
  });
} catch (error) {
  const message = (error as Error).message;
  port.postMessage({ kind: 'failed', message, soundFontError: (error as Error).name === 'SoundFontError' } satisfies WorkerReply);
}
