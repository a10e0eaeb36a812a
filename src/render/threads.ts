/** The render's worker threads: synthesis (one pool per font) and Opus encoding. */
import { TICKS_PER_QUARTER, type Note, type Score } from '../music/score.ts';
import { renderAudio } from './audio.ts';
import { defaultOpusEncoder } from './opus.ts';
import { stopStartingThreads } from './job-thread.ts';
import { closeOpusPool, startOpusPool } from './opus-pool.ts';
import { closeSynthPools, getSynthPool, SYNTH_THREADS } from './synth-pool.ts';

/**
 * Starts the synthesis threads with the font loaded (`synthesisThreads` of them, by default one per core up to two),
 * and the encoding threads.
 */
export async function startRenderThreads(soundfont?: string, synthesisThreads = SYNTH_THREADS): Promise<void> {
  await Promise.all([getSynthPool(soundfont, synthesisThreads), defaultOpusEncoder() === 'libopus' ? startOpusPool() : undefined]);
}

/**
 * Renders a few seconds once. The first render in a process runs FluidSynth and the loudness code before V8 has
 * optimized them, markedly slower (docs/RENDER.md): a long-running process does this at start-up so that no request
 * pays for it.
 */
export async function warmUpRender(soundfont?: string): Promise<void> {
  await renderAudio(WARM_UP_SCORE, { soundfont });
}

/** Two bars at 120 bpm: a piano chord on every beat over a string pad, kick and snare. */
const WARM_UP_SCORE: Score = (() => {
  const beats = (pitch: number): Note[] => Array.from({ length: 8 }, (_, beat) => ({ onset: beat * TICKS_PER_QUARTER, duration: TICKS_PER_QUARTER, pitch, velocity: 90 }));
  const pad = (pitch: number): Note => ({ onset: 0, duration: 8 * TICKS_PER_QUARTER, pitch, velocity: 70 });
  return {
    tempos: [{ tick: 0, bpm: 120 }],
    timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
    tracks: [
      { program: 0, isDrum: false, name: 'piano', notes: [...beats(60), ...beats(64), ...beats(67)] },
      { program: 48, isDrum: false, name: 'strings', notes: [pad(48), pad(55)] },
      { program: 0, isDrum: true, name: 'drums', notes: beats(36).map((note, beat) => ({ ...note, pitch: beat % 2 ? 38 : 36 })) },
    ],
  };
})();

/** Stops every render thread, also those still loading a font (shutdown, tests); later renders start new ones. */
export async function closeRenderThreads(): Promise<void> {
  // The pools forget their threads at once (a pool still checking its font will not start any), then the threads
  // still starting are stopped, so that nothing waits for a font to load.
  const closing = Promise.all([closeSynthPools(), closeOpusPool()]);
  await stopStartingThreads();
  await closing;
}
