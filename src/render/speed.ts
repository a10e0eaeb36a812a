/**
 * Render speed for `motif bench`: the same score rendered a few times with the font already loaded, median timings.
 */
import type { Score } from '../music/score.ts';
import { renderAudio, type RenderAudioOptions, type RenderTimings } from './audio.ts';
import { getSynthPool } from './synth-pool.ts';

/** Medians of several renders; totalMs is synthesis + loudness + encoding. */
export interface RenderSpeed extends RenderTimings {
  audioSeconds: number;
  /** Seconds of finished Ogg Opus per second of the whole pipeline. */
  overallSpeed: number;
}

export async function measureRenderSpeed(score: Score, options: RenderAudioOptions & { repeats?: number } = {}): Promise<RenderSpeed> {
  const pool = await getSynthPool(options.soundfont);
  const runs = [];
  for (let i = 0; i < (options.repeats ?? 3); i++) runs.push(await renderAudio(score, options));
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const synthMs = median(runs.map((run) => run.timings.synthMs));
  const loudnessMs = median(runs.map((run) => run.timings.loudnessMs));
  const encodeMs = median(runs.map((run) => run.timings.encodeMs));
  const totalMs = median(runs.map((run) => run.timings.synthMs + run.timings.loudnessMs + run.timings.encodeMs));
  const audioSeconds = runs[0].seconds;
  return {
    audioSeconds,
    soundfontLoadMs: pool.loadMs,
    synthMs,
    loudnessMs,
    encodeMs,
    totalMs,
    synthSpeed: audioSeconds / (synthMs / 1000),
    overallSpeed: audioSeconds / (totalMs / 1000),
  };
}
