/**
 * libopus through @discordjs/opus: native bindings whose install builds libopus from its bundled source (an optional
 * dependency: where the build failed, opus.ts encodes with ffmpeg instead). This module encodes runs of 20 ms frames
 * and works in any thread; opus-pool.ts spreads a take's frames over threads and ogg-opus.ts frames the packets.
 */
import { createRequire } from 'node:module';

/** 20 ms frames at 48 kHz, what ffmpeg's libopus wrapper uses too. */
export const FRAME_SAMPLES = 960;
export const OPUS_SAMPLE_RATE = 48_000;
/**
 * libopus' lookahead at 48 kHz for the audio application (2.5 ms + 4 ms), which the binding cannot query; the
 * decoder skips it. tests/ogg-opus.test.ts checks that the decoded take lines up with the input sample for sample.
 */
export const PRE_SKIP = 312;
/**
 * libopus effort, 0-10. 4 leaves the cores to synthesis, and at our bitrate it is as faithful to the input as a
 * higher effort at a lower bitrate (docs/RENDER.md measures both encoders at each effort).
 */
export const OPUS_COMPLEXITY = 4;

const OPUS_SET_BITRATE = 4002;
const OPUS_SET_VBR_CONSTRAINT = 4020;
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_MUSIC = 3002;

interface NativeOpusEncoder {
  encode(pcm: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
}
type NativeOpusModule = { OpusEncoder: new (rate: number, channels: number) => NativeOpusEncoder };

const require = createRequire(import.meta.url);
let nativeModule: NativeOpusModule | null | undefined;

/** @discordjs/opus, or null where it was not built. */
export function nativeOpus(): NativeOpusModule | null {
  if (nativeModule === undefined) {
    try {
      nativeModule = require('@discordjs/opus') as NativeOpusModule;
    } catch {
      nativeModule = null;
    }
  }
  return nativeModule;
}

export interface FrameRun {
  /** Interleaved stereo at 48 kHz: `primerFrames` frames, then the frames to keep; a whole number of frames. */
  pcm: Float32Array;
  primerFrames: number;
  bitrate: number;
  /** Constrained VBR (bitrates under the cap), or free VBR. */
  constrained: boolean;
}

/** The packets of a run's kept frames, one per frame, concatenated, with each packet's length. */
export interface EncodedRun {
  bytes: Uint8Array;
  lengths: Uint32Array;
}

export function encodeFrames(run: FrameRun): EncodedRun {
  const native = nativeOpus();
  if (!native) throw new Error('@discordjs/opus is not installed or was not built here');
  const encoder = new native.OpusEncoder(OPUS_SAMPLE_RATE, 2);
  encoder.applyEncoderCTL(OPUS_SET_BITRATE, run.bitrate);
  encoder.applyEncoderCTL(OPUS_SET_VBR_CONSTRAINT, run.constrained ? 1 : 0);
  encoder.applyEncoderCTL(OPUS_SET_COMPLEXITY, OPUS_COMPLEXITY);
  encoder.applyEncoderCTL(OPUS_SET_SIGNAL, OPUS_SIGNAL_MUSIC);
  const frameValues = FRAME_SAMPLES * 2;
  const frameCount = run.pcm.length / frameValues;
  // The binding takes 16-bit PCM (host order, little-endian on every platform Node supports), a frame at a time.
  const frame = new Int16Array(frameValues);
  const frameBytes = Buffer.from(frame.buffer);
  const packets: Buffer[] = [];
  for (let f = 0; f < frameCount; f++) {
    const offset = f * frameValues;
    for (let i = 0; i < frameValues; i++) {
      const v = Math.round(run.pcm[offset + i] * 32767);
      frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    const packet = encoder.encode(frameBytes);
    if (f >= run.primerFrames) packets.push(packet);
  }
  // A fresh buffer, not Buffer.concat's: a small one may come from Node's shared pool, which must not be transferred.
  const bytes = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const packet of packets) {
    bytes.set(packet, offset);
    offset += packet.length;
  }
  return { bytes, lengths: Uint32Array.from(packets, (p) => p.length) };
}

/** A run's packets, one per frame, as views into its bytes. */
export function packetsOf({ bytes, lengths }: EncodedRun): Uint8Array[] {
  let offset = 0;
  return Array.from(lengths, (length) => bytes.subarray(offset, (offset += length)));
}
