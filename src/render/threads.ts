/** The render's worker threads: synthesis (one pool per font) and Opus encoding. */
import { defaultOpusEncoder } from './opus.ts';
import { closeOpusPool, startOpusPool } from './opus-pool.ts';
import { closeSynthPools, getSynthPool } from './synth-pool.ts';

/** Starts the synthesis threads with the font loaded, and the encoding threads (a long-running process, at start-up). */
export async function startRenderThreads(soundfont?: string): Promise<void> {
  await Promise.all([getSynthPool(soundfont), defaultOpusEncoder() === 'libopus' ? startOpusPool() : undefined]);
}

/** Stops every render thread (shutdown, tests); later renders start new ones. */
export async function closeRenderThreads(): Promise<void> {
  await Promise.all([closeSynthPools(), closeOpusPool()]);
}
