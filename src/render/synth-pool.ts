/**
 * Synthesis on both cores: each worker thread holds its own FluidSynth with the font loaded, a render gives each
 * worker part of the tracks, and the parts are summed. Everything in the synthesizer is linear (voices, pan, reverb),
 * so the sum is the render of the whole score.
 *
 * Pools are made once per font and kept for the life of the process; idle workers do not keep it alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { tickToSeconds, type Score } from '../music/score.ts';
import { checkSoundFontHeader, resolveSoundFont, SAMPLE_RATE, SoundFontError } from './soundfonts.ts';
import type { StereoAudio, SynthesisOptions } from './synthesize.ts';
import type { WorkerJob, WorkerReply } from './synth-worker.ts';

/** Two threads: this machine's cores; more would multiply the memory each loaded font takes. */
export const SYNTH_THREADS = Math.max(1, Math.min(2, availableParallelism()));
/** Seconds a voice keeps sounding after its note ends (release), for balancing the threads' work. */
const RELEASE_ESTIMATE_SECONDS = 0.5;

type Pending = { resolve: (audio: StereoAudio) => void; reject: (error: Error) => void };

class SynthThread {
  private readonly pending = new Map<number, Pending>();
  private nextJob = 0;
  /** Set once the thread has stopped (crashed, or closed): it takes no more jobs. */
  exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind !== 'audio' && reply.kind !== 'error') return;
      const pending = this.pending.get(reply.job);
      this.pending.delete(reply.job);
      if (this.pending.size === 0) worker.unref();
      if (reply.kind === 'audio') pending?.resolve({ sampleRate: SAMPLE_RATE, left: reply.left, right: reply.right });
      else pending?.reject(new Error(`synthesis failed: ${reply.message}`));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new Error(`synthesis thread exited (${code})`));
    });
  }

  static start(file: string): Promise<SynthThread> {
    const worker = new Worker(new URL('./synth-worker-entry.js', import.meta.url), { workerData: { soundfont: file } });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`synthesis thread exited (${code}) while loading ${file}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (reply.kind === 'ready') {
          worker.unref();
          resolve(new SynthThread(worker));
        } else {
          void worker.terminate();
          const message = reply.kind === 'failed' ? reply.message : 'unexpected reply while loading';
          reject(reply.kind === 'failed' && reply.soundFontError ? new SoundFontError(message) : new Error(message));
        }
      });
    });
  }

  render(score: Score, options: SynthesisOptions): Promise<StereoAudio> {
    if (this.exited) return Promise.reject(new Error('synthesis thread has stopped'));
    const job = this.nextJob++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      this.worker.postMessage({ job, score, options } satisfies WorkerJob);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
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

/** The pool for a font (a bundled name or a path), started on first use. */
export function getSynthPool(spec?: string): Promise<SynthPool> {
  const { name, path } = resolveSoundFont(spec);
  let pool = pools.get(path);
  if (!pool) {
    pool = startPool(name, path);
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
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map(async (pool) => (await pool.catch(() => undefined))?.close()));
}

async function startPool(name: string, path: string): Promise<SynthPool> {
  // A missing or non-SoundFont file fails here, before any thread starts.
  await checkSoundFontHeader(path);
  const started = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: SYNTH_THREADS }, () => SynthThread.start(path)));
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
  const groups = splitTracks(score, threads.length).filter((group) => group.length > 0);
  if (groups.length <= 1) return threads[0].render(score, options);
  const parts = await Promise.all(groups.map((tracks, index) => threads[index].render(score, { ...options, tracks })));
  const [sum, ...rest] = parts;
  for (const part of rest) {
    for (let i = 0; i < sum.left.length; i++) {
      sum.left[i] += part.left[i];
      sum.right[i] += part.right[i];
    }
  }
  return sum;
}

/** Track indices in `count` groups of about equal synthesis work (sounding voice-seconds), largest first. */
export function splitTracks(score: Score, count: number): number[][] {
  const work = score.tracks.map((track, index) => ({
    index,
    seconds: track.notes.reduce(
      (sum, note) => sum + tickToSeconds(score, note.onset + note.duration) - tickToSeconds(score, note.onset) + RELEASE_ESTIMATE_SECONDS,
      0,
    ),
  }));
  work.sort((a, b) => b.seconds - a.seconds);
  const groups = Array.from({ length: count }, () => ({ tracks: [] as number[], seconds: 0 }));
  for (const track of work) {
    const lightest = groups.reduce((best, group) => (group.seconds < best.seconds ? group : best));
    lightest.tracks.push(track.index);
    lightest.seconds += track.seconds;
  }
  return groups.map((group) => group.tracks.sort((a, b) => a - b));
}
