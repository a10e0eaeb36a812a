/** The render's worker threads: synthesis (one pool per font) and Opus encoding. */
import { closeOpusPool } from './opus-pool.ts';
import { closeSynthPools } from './synth-pool.ts';

/** Stops every render thread (shutdown, tests); later renders start new ones. */
export async function closeRenderThreads(): Promise<void> {
  await Promise.all([closeSynthPools(), closeOpusPool()]);
}
