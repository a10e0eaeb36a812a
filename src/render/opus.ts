/**
 * Ogg Opus encoding. libopus runs in this process through @discordjs/opus (libopus.ts), on both cores
 * (opus-pool.ts), and ogg-opus.ts frames its packets. Where that optional dependency could not be built, the ffmpeg
 * binary that @ffmpeg-installer ships encodes instead (about 5x slower in motif bench).
 * Finishing filters (finish.ts) always run in ffmpeg: float PCM on its stdin, filtered float PCM (or the Ogg file,
 * on the fallback) on its stdout; no temporary files.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { FRAME_SAMPLES, nativeOpus, OPUS_COMPLEXITY, OPUS_SAMPLE_RATE, PRE_SKIP } from './libopus.ts';
import { muxOggOpus } from './ogg-opus.ts';
import { encodeOpusPackets } from './opus-pool.ts';
import type { StereoAudio } from './synthesize.ts';

const require = createRequire(import.meta.url);
export const FFMPEG_PATH: string = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;

/** Discord's upload limit without Nitro. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_BITRATE = 160_000;
export const MIN_BITRATE = 12_000;
/** Room left in the size budget for Ogg pages and VBR swings. */
const SIZE_HEADROOM = 0.9;

export type OpusEncoderName = 'libopus' | 'ffmpeg';

/** Which encoder encodeOggOpus uses by default here. */
export function defaultOpusEncoder(): OpusEncoderName {
  return nativeOpus() ? 'libopus' : 'ffmpeg';
}

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
  /** Default: defaultOpusEncoder(). */
  encoder?: OpusEncoderName;
}

export interface EncodedAudio {
  ogg: Uint8Array;
  bitrate: number;
  encoder: OpusEncoderName;
}

export async function encodeOggOpus(audio: StereoAudio, options: EncodeOptions = {}): Promise<EncodedAudio> {
  const seconds = audio.left.length / audio.sampleRate;
  const bitrate = options.bitrate ?? opusBitrate(seconds);
  const encoder = options.encoder ?? defaultOpusEncoder();
  if (encoder === 'libopus') {
    if (!nativeOpus()) throw new RenderError('@discordjs/opus is not installed or was not built here: use the ffmpeg encoder');
    let frames = interleave(audio);
    if (options.filterGraph) frames = await filterWithFfmpeg(frames, audio.sampleRate, seconds, options.filterGraph);
    const ogg = await encodeWithLibopus(frames, audio.sampleRate, bitrate, options.title);
    return { ogg, bitrate, encoder };
  }
  const args = [...pcmInputArgs(audio.sampleRate), ...filterArgs(options.filterGraph, seconds)];
  args.push('-c:a', 'libopus', '-b:a', String(bitrate), '-vbr', bitrate < MAX_BITRATE ? 'constrained' : 'on');
  args.push('-compression_level', String(OPUS_COMPLEXITY));
  if (options.title) args.push('-metadata', `title=${options.title}`);
  args.push('-f', 'ogg', 'pipe:1');
  const ogg = await runFfmpeg(args, new Uint8Array(interleave(audio).buffer));
  return { ogg, bitrate, encoder };
}

function pcmInputArgs(sampleRate: number): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-f', 'f32le', '-ar', String(sampleRate), '-ac', '2', '-i', 'pipe:0'];
}

function filterArgs(filterGraph: string | undefined, seconds: number): string[] {
  const args = filterGraph ? ['-filter_complex', filterGraph, '-map', '[out]'] : [];
  // The filters may ring on past the input (echoes); the take keeps the rendered length.
  return [...args, '-t', seconds.toFixed(6)];
}

/** Interleaved stereo float PCM through an ffmpeg filter graph, back as interleaved stereo float PCM. */
async function filterWithFfmpeg(frames: Float32Array, sampleRate: number, seconds: number, graph: string): Promise<Float32Array> {
  const args = [...pcmInputArgs(sampleRate), ...filterArgs(graph, seconds), '-f', 'f32le', '-ar', String(sampleRate), '-ac', '2', 'pipe:1'];
  const out = await runFfmpeg(args, new Uint8Array(frames.buffer, frames.byteOffset, frames.byteLength));
  const aligned = new Float32Array(Math.floor(out.byteLength / 4));
  new Uint8Array(aligned.buffer).set(out.subarray(0, aligned.length * 4));
  return aligned;
}

async function encodeWithLibopus(frames: Float32Array, sampleRate: number, bitrate: number, title?: string): Promise<Uint8Array> {
  if (sampleRate !== OPUS_SAMPLE_RATE) throw new RenderError(`the in-process Opus encoder takes 48 kHz audio, not ${sampleRate} Hz`);
  const sampleCount = frames.length / 2;
  // Enough frames to carry the last real sample out past the encoder's lookahead; the rest is silence.
  const frameCount = Math.ceil((PRE_SKIP + sampleCount) / FRAME_SAMPLES);
  const packets = await encodeOpusPackets(frames, frameCount, bitrate, bitrate < MAX_BITRATE);
  return muxOggOpus({
    packets,
    frameSamples: FRAME_SAMPLES,
    preSkip: PRE_SKIP,
    sampleCount,
    channels: 2,
    inputSampleRate: sampleRate,
    vendor: 'libopus (@discordjs/opus), Motif',
    tags: title ? { TITLE: title } : {},
  });
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

/** Stereo as one interleaved array (left, right, left, ...), the layout encoders and ffmpeg take. */
export function interleave(audio: StereoAudio): Float32Array {
  const { left, right } = audio;
  const frames = new Float32Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    frames[2 * i] = left[i];
    frames[2 * i + 1] = right[i];
  }
  return frames;
}
