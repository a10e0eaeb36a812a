/**
 * Opus encoding on both cores. A take's 20 ms frames are cut into runs, one per thread, and each thread encodes its
 * run with its own libopus encoder. An encoder that starts mid-take is first fed the PRIMER_FRAMES frames before its
 * run, whose packets are dropped: its state (the band energies it predicts from, the pitch filter, the signal
 * history of its transforms) is then what one encoder's would be there, so the decoder, which gets the packets of
 * one run after another, cannot tell where they join. tests/ogg-opus.test.ts checks the join against one encoder's
 * output.
 *
 * The pool starts on first use and lives as long as the process; idle threads do not keep it alive.
 */
import { availableParallelism } from 'node:os';
import { JobThread } from './job-thread.ts';
import { FRAME_SAMPLES, packetsOf, type EncodedRun, type FrameRun } from './libopus.ts';

export const ENCODE_THREADS = Math.max(1, Math.min(2, availableParallelism()));
/**
 * 200 ms: enough for a mid-take encoder's state to catch up with one encoder's; without a primer the join clicks
 * (docs/RENDER.md measures the error in each window after the join for several primer lengths).
 */
export const PRIMER_FRAMES = 10;
/** Runs shorter than this (5 s) are not worth another thread: the primer and the messages cost more than they save. */
const MIN_RUN_FRAMES = 250;

type EncodeThread = JobThread<FrameRun, EncodedRun>;

let pool: Promise<EncodeThread[]> | undefined;

function getPool(): Promise<EncodeThread[]> {
  if (!pool) {
    const entry = new URL('./opus-worker-entry.js', import.meta.url);
    const starting = Promise.all(Array.from({ length: ENCODE_THREADS }, () => JobThread.start<FrameRun, EncodedRun>(entry, {}, 'Opus encoding')));
    pool = starting;
    starting.catch(() => {
      if (pool === starting) pool = undefined;
    });
  }
  return pool;
}

/** Starts the threads ahead of the first encode (resolves once they are ready). */
export async function startOpusPool(): Promise<void> {
  await getPool();
}

/** Stops the encoding threads (tests, shutdown); the next encode starts new ones. */
export async function closeOpusPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  const threads = await closing?.catch(() => []);
  await Promise.all((threads ?? []).map((thread) => thread.close()));
}

/** Splits `frameCount` frames into at most `threads` runs of about equal length: [first, end) of each. */
export function planRuns(frameCount: number, threads: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(threads, Math.floor(frameCount / MIN_RUN_FRAMES)));
  return Array.from({ length: count }, (_, i) => [Math.floor((i * frameCount) / count), Math.floor(((i + 1) * frameCount) / count)]);
}

/**
 * One Opus packet per 20 ms frame of `samples` (interleaved stereo, 48 kHz), `frameCount` frames in all: frames past
 * the end of the samples are silence.
 */
export async function encodeOpusPackets(samples: Float32Array, frameCount: number, bitrate: number, constrained: boolean): Promise<Uint8Array[]> {
  const threads = await getPool();
  const frameValues = FRAME_SAMPLES * 2;
  const runs = planRuns(frameCount, threads.length).map(([first, end], i) => {
    const start = Math.max(0, first - PRIMER_FRAMES);
    // A copy of the run's samples (zero-padded past the end), moved to the thread.
    const pcm = new Float32Array((end - start) * frameValues);
    pcm.set(samples.subarray(Math.min(samples.length, start * frameValues), Math.min(samples.length, end * frameValues)));
    return threads[i].run({ pcm, primerFrames: first - start, bitrate, constrained }, [pcm.buffer]);
  });
  let encoded: EncodedRun[];
  try {
    encoded = await Promise.all(runs);
  } catch (error) {
    // A crashed thread takes the pool with it; the next encode starts a fresh one.
    if (threads.some((thread) => thread.exited)) await closeOpusPool();
    throw error;
  }
  return encoded.flatMap(packetsOf);
}
