/**
 * Ogg Opus encoding with the ffmpeg binary that @ffmpeg-installer ships inside its npm package. The float PCM is
 * streamed to ffmpeg's stdin and the Ogg file read from its stdout: no temporary files.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { StereoAudio } from './synthesize.ts';

const require = createRequire(import.meta.url);
export const FFMPEG_PATH: string = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;

/** Discord's upload limit without Nitro. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_BITRATE = 160_000;
export const MIN_BITRATE = 12_000;
/** Room left in the size budget for Ogg pages and VBR swings. */
const SIZE_HEADROOM = 0.9;
/**
 * libopus effort, 0-10. The libopus in the bundled ffmpeg 4.1 is slow: 30 s takes 0.9 s of CPU at 10, 0.6 s at 5,
 * 0.45 s at 4. Complexity 4 at 160 kb/s matches complexity 5 at 128 kb/s in waveform SNR (docs/RENDER.md) and keeps
 * render + encode of a 30 s take near one second.
 */
const OPUS_COMPLEXITY = 4;

export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

/** The highest bitrate (up to MAX_BITRATE) whose file of this length stays under the upload limit. */
export function opusBitrate(seconds: number): number {
  const budgetBits = MAX_FILE_BYTES * 8 * SIZE_HEADROOM;
  const fitting = Math.floor(budgetBits / Math.max(seconds, 1) / 1000) * 1000;
  if (fitting < MIN_BITRATE) {
    throw new RenderError(`${Math.round(seconds / 60)} minutes of audio cannot fit in ${MAX_FILE_BYTES / 1048576} MiB`);
  }
  return Math.min(MAX_BITRATE, fitting);
}

export interface EncodeOptions {
  /** -filter_complex graph from [0:a] to [out] (see finish.ts). */
  filterGraph?: string;
  title?: string;
  /** Default: from the duration (opusBitrate). */
  bitrate?: number;
}

export interface EncodedAudio {
  ogg: Uint8Array;
  bitrate: number;
}

export async function encodeOggOpus(audio: StereoAudio, options: EncodeOptions = {}): Promise<EncodedAudio> {
  const seconds = audio.left.length / audio.sampleRate;
  const bitrate = options.bitrate ?? opusBitrate(seconds);
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'f32le', '-ar', String(audio.sampleRate), '-ac', '2', '-i', 'pipe:0'];
  if (options.filterGraph) args.push('-filter_complex', options.filterGraph, '-map', '[out]');
  // The filters may ring on past the input (echoes); the take keeps the rendered length.
  args.push('-t', seconds.toFixed(6));
  args.push('-c:a', 'libopus', '-b:a', String(bitrate), '-vbr', bitrate < MAX_BITRATE ? 'constrained' : 'on');
  args.push('-compression_level', String(OPUS_COMPLEXITY));
  if (options.title) args.push('-metadata', `title=${options.title}`);
  args.push('-f', 'ogg', 'pipe:1');
  const ogg = await runFfmpeg(args, interleave(audio));
  return { ogg, bitrate };
}

/** Runs ffmpeg with `input` on stdin; resolves with its stdout. */
export function runFfmpeg(args: string[], input?: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG_PATH, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new RenderError(`cannot run ffmpeg (${FFMPEG_PATH}): ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(new Uint8Array(Buffer.concat(out)));
      else reject(new RenderError(`ffmpeg exited with ${code}: ${Buffer.concat(err).toString().trim().slice(-500)}`));
    });
    // ffmpeg may stop reading early when it fails; its exit code tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

function interleave(audio: StereoAudio): Uint8Array {
  const { left, right } = audio;
  const frames = new Float32Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    frames[2 * i] = left[i];
    frames[2 * i + 1] = right[i];
  }
  return new Uint8Array(frames.buffer);
}
