/**
 * Synthesis on both cores: each worker thread holds its own FluidSynth with the font loaded, a render gives each
 * worker part of the tracks, and the parts are summed. Everything in the synthesizer is linear (voices, pan, reverb),
 * so the sum is the render of the whole score.
 *
 * Pools are made once per font and kept for the life of the process; idle workers do not keep it alive.
 */
import { availableParallelism } from 'node:os';
import { tickToSeconds, type Score } from '../music/score.ts';
import { checkSoundFontHeader, resolveSoundFont, SAMPLE_RATE, SoundFontError } from './soundfonts.ts';
import type { StereoAudio, SynthesisOptions, TrackPart } from './synthesize.ts';
import { JobThread } from './job-thread.ts';
import type { SynthJob, SynthResult } from './synth-worker.ts';

/** Two threads: this machine's cores; more would multiply the memory each loaded font takes. */
export const SYNTH_THREADS = Math.max(1, Math.min(2, availableParallelism()));
/** Seconds a voice keeps sounding after its note ends (release), for balancing the threads' work. */
const RELEASE_ESTIMATE_SECONDS = 0.5;

type SynthThread = JobThread<SynthJob, SynthResult>;

function startThread(file: string): Promise<SynthThread> {
  return JobThread.start<SynthJob, SynthResult>(new URL('./synth-worker-entry.js', import.meta.url), { soundfont: file }, 'synthesis', (name, message) =>
    name === 'SoundFontError' ? new SoundFontError(message) : new Error(message),
  );
}

async function renderOn(thread: SynthThread, score: Score, options: SynthesisOptions): Promise<StereoAudio> {
  const { left, right } = await thread.run({ score, options });
  return { sampleRate: SAMPLE_RATE, left, right };
}

export interface SynthPool {
  name: string;
  path: string;
  /** Wall time to start the threads and load the font in each (in parallel). */
  loadMs: number;
  render(score: Score, options?: SynthesisOptions): Promise<StereoAudio>;
  close(): Promise<void>;
}

const pools = new Map<string, Promise<SynthPool>>();
/** Counts closeSynthPools calls, so that a pool still checking its font when they close does not start its threads. */
let closings = 0;

/** The pool for a font (a bundled name or a path), started on first use with `threads` threads (later calls get it as it is). */
export function getSynthPool(spec?: string, threads = SYNTH_THREADS): Promise<SynthPool> {
  const { name, path } = resolveSoundFont(spec);
  let pool = pools.get(path);
  if (!pool) {
    pool = startPool(name, path, threads);
    pools.set(path, pool);
    pool.catch(() => pools.delete(path));
  }
  return pool;
}

export function isSynthPoolStarted(spec?: string): boolean {
  return pools.has(resolveSoundFont(spec).path);
}

/** Stops every pool's threads (tests, shutdown). */
export async function closeSynthPools(): Promise<void> {
  closings++;
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map(async (pool) => (await pool.catch(() => undefined))?.close()));
}

async function startPool(name: string, path: string, threadCount: number): Promise<SynthPool> {
  // A missing or non-SoundFont file fails here, before any thread starts.
  const closingsBefore = closings;
  await checkSoundFontHeader(path);
  if (closings !== closingsBefore) throw new Error('the synthesis threads were closed while starting');
  const started = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: threadCount }, () => startThread(path)));
  const failure = settled.find((result) => result.status === 'rejected');
  const threads = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failure) {
    await Promise.all(threads.map((thread) => thread.close()));
    throw (failure as PromiseRejectedResult).reason;
  }
  let queue: Promise<unknown> = Promise.resolve();
  const pool: SynthPool = {
    name,
    path,
    loadMs: performance.now() - started,
    render(score, options = {}) {
      const result = queue.then(() => renderSplit(threads, score, options));
      queue = result.catch(() => undefined);
      // A crashed thread takes its pool with it; the next render starts a fresh one.
      result.catch(() => {
        if (threads.some((thread) => thread.exited)) {
          pools.delete(path);
          void pool.close();
        }
      });
      return result;
    },
    async close() {
      await Promise.all(threads.map((thread) => thread.close()));
    },
  };
  return pool;
}

async function renderSplit(threads: SynthThread[], score: Score, options: SynthesisOptions): Promise<StereoAudio> {
  const parts = splitWork(score, threads.length).filter((part) => part.length > 0);
  if (parts.length <= 1) return renderOn(threads[0], score, options);
  const rendered = await Promise.all(parts.map((part, index) => renderOn(threads[index], score, { ...options, part })));
  const [sum, ...rest] = rendered;
  for (const audio of rest) {
    for (let i = 0; i < sum.left.length; i++) {
      sum.left[i] += audio.left[i];
      sum.right[i] += audio.right[i];
    }
  }
  return sum;
}

/**
 * The score in `count` parts of about equal synthesis work. What a note costs differs tenfold between presets (a
 * layered pad with a long release against a plucked bass), and one track can outweigh all the others, so every
 * pitched track is itself split: its keys are dealt out so that each part gets about the same share of that
 * track's voice-seconds. All notes of one key stay in one part, because FluidSynth lets a note end an earlier one
 * on the same key. Drum tracks stay whole (a closed hi-hat cuts the open one) and go where there is least work.
 */
export function splitWork(score: Score, count: number): TrackPart[][] {
  const parts = Array.from({ length: count }, () => ({ part: [] as TrackPart[], seconds: 0 }));
  const lightest = <T extends { seconds: number }>(items: T[]) => items.reduce((best, item) => (item.seconds < best.seconds ? item : best));
  // Drum tracks, and tracks without notes: each goes whole to one part.
  const wholeTracks: Array<{ track: number; seconds: number }> = [];
  score.tracks.forEach((track, index) => {
    const byPitch = new Map<number, number>();
    for (const note of track.notes) {
      const seconds = tickToSeconds(score, note.onset + note.duration) - tickToSeconds(score, note.onset) + RELEASE_ESTIMATE_SECONDS;
      byPitch.set(note.pitch, (byPitch.get(note.pitch) ?? 0) + seconds);
    }
    if (track.isDrum || byPitch.size === 0) {
      wholeTracks.push({ track: index, seconds: [...byPitch.values()].reduce((a, b) => a + b, 0) });
      return;
    }
    const shares = parts.map(() => ({ pitches: [] as number[], seconds: 0 }));
    for (const [pitch, seconds] of [...byPitch].sort((a, b) => b[1] - a[1] || a[0] - b[0])) {
      const share = lightest(shares);
      share.pitches.push(pitch);
      share.seconds += seconds;
    }
    // The heaviest share goes to the part with the least work so far, and so on down.
    const order = [...parts].sort((a, b) => a.seconds - b.seconds);
    shares.sort((a, b) => b.seconds - a.seconds).forEach((share, i) => {
      if (share.pitches.length === 0) return;
      order[i].part.push({ track: index, pitches: share.pitches.sort((a, b) => a - b) });
      order[i].seconds += share.seconds;
    });
  });
  for (const whole of wholeTracks.sort((a, b) => b.seconds - a.seconds)) {
    const part = lightest(parts);
    part.part.push({ track: whole.track });
    part.seconds += whole.seconds;
  }
  return parts.map(({ part }) => part.sort((a, b) => a.track - b.track));
}
