/**
 * One take on disk: the score as .mid, the audio as .ogg (Ogg Opus) and the piano roll as .png, side by side.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeMidi } from '../music/midi.ts';
import type { Score } from '../music/score.ts';
import { renderAudio, type RenderAudioOptions, type RenderedAudio, type RenderTimings } from './audio.ts';
import { renderPianoRoll, type PianoRollOptions } from './piano-roll.ts';

export interface RenderFilesOptions extends RenderAudioOptions {
  outDir: string;
  /** File name without extension. */
  baseName: string;
  /** The prompt: the picture's title and the audio's metadata title. */
  title?: string;
  /** The piece's sections, marked on the picture. */
  sections?: PianoRollOptions['sections'];
}

export interface RenderedFiles {
  midiPath: string;
  oggPath: string;
  pngPath: string;
  seconds: number;
  bitrate: number;
  encoder: RenderedAudio['encoder'];
  soundfont: string;
  loudness: RenderedAudio['loudness'];
  timings: RenderTimings & { pianoRollMs: number };
}

export async function renderFiles(score: Score, options: RenderFilesOptions): Promise<RenderedFiles> {
  await mkdir(options.outDir, { recursive: true });
  const base = path.join(options.outDir, options.baseName);
  const audio = await renderAudio(score, options);
  const rollStart = performance.now();
  const png = renderPianoRoll(score, { title: options.title, sections: options.sections });
  const pianoRollMs = performance.now() - rollStart;
  const paths = { midiPath: `${base}.mid`, oggPath: `${base}.ogg`, pngPath: `${base}.png` };
  await Promise.all([
    writeFile(paths.midiPath, writeMidi(score)),
    writeFile(paths.oggPath, audio.ogg),
    writeFile(paths.pngPath, png),
  ]);
  return {
    ...paths,
    seconds: audio.seconds,
    bitrate: audio.bitrate,
    encoder: audio.encoder,
    soundfont: audio.soundfont,
    loudness: audio.loudness,
    timings: { ...audio.timings, pianoRollMs },
  };
}
