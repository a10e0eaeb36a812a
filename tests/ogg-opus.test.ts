/**
 * The in-process Opus encoder and its Ogg framing, checked by an independent reader: ffmpeg decodes the file (with
 * CRC checking on) to the exact length, in line with the input sample for sample, at a good SNR, with its title.
 * The ffmpeg fallback encoder passes the same checks.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrames, FRAME_SAMPLES, packetsOf, PRE_SKIP } from '../src/render/libopus.ts';
import { muxOggOpus, oggCrc } from '../src/render/ogg-opus.ts';
import { defaultOpusEncoder, encodeOggOpus, FFMPEG_PATH, interleave, type OpusEncoderName } from '../src/render/opus.ts';
import { closeOpusPool, ENCODE_THREADS, encodeOpusPackets, planRuns } from '../src/render/opus-pool.ts';
import type { StereoAudio } from '../src/render/synthesize.ts';
import { skipOnThisMachine, skipWithout } from './helpers/prerequisites.ts';

const RATE = 48_000;

/** 2.7 s of music-like test signal: a chord with vibrato on the left, decaying plucks on the right. */
function testSignal(samples = Math.round(2.7 * RATE)): StereoAudio {
  const left = new Float32Array(samples);
  const right = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = i / RATE;
    const wobble = 1 + 0.003 * Math.sin(2 * Math.PI * 5 * t);
    left[i] = 0.2 * (Math.sin(2 * Math.PI * 220 * wobble * t) + Math.sin(2 * Math.PI * 277.2 * t) + Math.sin(2 * Math.PI * 329.6 * t));
    const sincePluck = t % 0.25;
    right[i] = 0.5 * Math.exp(-sincePluck * 12) * Math.sin(2 * Math.PI * (440 + 110 * Math.floor(t / 0.25)) * sincePluck);
  }
  return { left, right, sampleRate: RATE };
}

function decode(ogg: Uint8Array): { samples: Float32Array; log: string } {
  const args = ['-hide_banner', '-loglevel', 'warning', '-err_detect', 'crccheck', '-i', 'pipe:0', '-f', 'f32le', '-ac', '2', '-ar', String(RATE), 'pipe:1'];
  const result = spawnSync(FFMPEG_PATH, args, { input: ogg, maxBuffer: 1 << 28 });
  expect(result.status).toBe(0);
  const out = result.stdout;
  return { samples: new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4), log: result.stderr.toString() };
}

/** The title as ffmpeg lists it among the stream's metadata. */
function metadataTitle(ogg: Uint8Array): string | undefined {
  const result = spawnSync(FFMPEG_PATH, ['-hide_banner', '-i', 'pipe:0'], { input: ogg });
  return /^\s*title\s*: (.*)$/im.exec(result.stderr.toString())?.[1];
}

/** Signal-to-error ratio of the decoded left channel against the input, shifted by `lag` samples. */
function snrDb(input: Float32Array, decoded: Float32Array, lag: number): number {
  let signal = 0;
  let error = 0;
  for (let i = 2000; i < input.length - 2000; i++) {
    const d = decoded[2 * (i + lag)];
    signal += input[i] * input[i];
    error += (input[i] - d) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

const encoders: OpusEncoderName[] = defaultOpusEncoder() === 'libopus' ? ['libopus', 'ffmpeg'] : ['ffmpeg'];

describe.each(encoders)('Ogg Opus from %s', (encoder) => {
  it('decodes to the exact length, aligned with the input, at a good SNR, with its title', async () => {
    const audio = testSignal();
    const { ogg, bitrate } = await encodeOggOpus(audio, { encoder, title: 'Motif: tëst ♪' });
    expect(bitrate).toBe(160_000);
    const { samples, log } = decode(ogg);
    expect(log).toBe('');
    expect(samples.length / 2).toBe(audio.left.length);
    // Aligned: the error is smallest with no shift (a wrong pre-skip would move the decoded audio).
    const snrs = [-2, -1, 0, 1, 2].map((lag) => snrDb(audio.left, samples, lag));
    expect(Math.max(...snrs)).toBe(snrs[2]);
    expect(snrs[2]).toBeGreaterThan(20);
    expect(metadataTitle(ogg)).toBe('Motif: tëst ♪');
  });

  it('runs the finishing filters and keeps the length', async () => {
    const audio = testSignal();
    const { ogg } = await encodeOggOpus(audio, { encoder, filterGraph: '[0:a]lowpass=f=1000,volume=-6dB[out]' });
    const { samples } = decode(ogg);
    expect(samples.length / 2).toBe(audio.left.length);
    let inputPower = 0;
    let outputPower = 0;
    for (let i = 0; i < audio.left.length; i++) {
      inputPower += audio.left[i] ** 2;
      outputPower += samples[2 * i] ** 2;
    }
    // -6 dB and a low-pass: a quarter of the power or less.
    expect(outputPower / inputPower).toBeLessThan(0.26);
    expect(outputPower / inputPower).toBeGreaterThan(0.05);
  });
});

afterAll(() => closeOpusPool());

/** Error power of the decoded take against the input over one 20 ms frame of packets (both channels). */
function frameErrorPower(input: Float32Array, decoded: Float32Array, frame: number): number {
  let error = 0;
  const first = (frame * FRAME_SAMPLES - PRE_SKIP) * 2;
  for (let i = Math.max(0, first); i < first + FRAME_SAMPLES * 2 && i < input.length; i++) error += (decoded[i] - input[i]) ** 2;
  return error;
}

describe.skipIf(
  skipWithout(defaultOpusEncoder() === 'libopus', 'libopus (the optional @discordjs/opus) is not built', 'install a C++ compiler and run npm rebuild @discordjs/opus')
  || skipOnThisMachine(ENCODE_THREADS < 2, 'one core: an Opus encode is not split over threads here'),
)('Opus encoding on several threads', () => {
  it('joins the runs so that the decoded take is as close to the input as one encoder makes it', async () => {
    const audio = testSignal(12 * RATE);
    const input = interleave(audio);
    const frameCount = Math.ceil((PRE_SKIP + audio.left.length) / FRAME_SAMPLES);
    const runs = planRuns(frameCount, ENCODE_THREADS);
    expect(runs.length).toBeGreaterThan(1);
    const mux = (packets: Uint8Array[]) =>
      muxOggOpus({ packets, frameSamples: FRAME_SAMPLES, preSkip: PRE_SKIP, sampleCount: audio.left.length, channels: 2, inputSampleRate: RATE, vendor: 'test' });
    const split = decode(mux(await encodeOpusPackets(input, frameCount, 160_000, false))).samples;
    const whole = new Float32Array(frameCount * FRAME_SAMPLES * 2);
    whole.set(input);
    const single = decode(mux(packetsOf(encodeFrames({ pcm: whole, primerFrames: 0, bitrate: 160_000, constrained: false })))).samples;
    expect(split.length).toBe(single.length);
    // Each frame from just before the join to 200 ms after it: an encoder started cold there is 10+ dB worse.
    for (const [join] of runs.slice(1)) {
      for (let frame = join - 2; frame < join + 10; frame++) {
        const ratio = frameErrorPower(input, split, frame) / frameErrorPower(input, single, frame);
        expect(10 * Math.log10(ratio), `frame ${frame - join} after the join`).toBeLessThan(1.5);
      }
    }
  });
});

describe('Ogg framing', () => {
  it('computes the CRC that ffmpeg writes into its own pages', async () => {
    const { ogg } = await encodeOggOpus(testSignal(RATE), { encoder: 'ffmpeg' });
    const firstPageLength = 27 + ogg[26] + ogg.subarray(27, 27 + ogg[26]).reduce((n, v) => n + v, 0);
    const page = Uint8Array.from(ogg.subarray(0, firstPageLength));
    const stored = new DataView(page.buffer).getUint32(22, true);
    page.fill(0, 22, 26);
    expect(oggCrc(page)).toBe(stored);
  });

  it('ends the stream at the real audio and refuses too few packets', () => {
    const packet = Uint8Array.of(0xfc, 0xff, 0xfe); // a CELT frame of silence is fine for framing
    const ogg = muxOggOpus({ packets: Array(120).fill(packet), frameSamples: 960, preSkip: 312, sampleCount: 100_000, channels: 2, inputSampleRate: RATE, vendor: 'test' });
    // 2 header pages, then 120 packets at 50 a page.
    const pages = Buffer.from(ogg).toString('latin1').split('OggS').length - 1;
    expect(pages).toBe(5);
    const last = Buffer.from(ogg).lastIndexOf('OggS');
    expect(ogg[last + 5]).toBe(0x04);
    expect(new DataView(ogg.buffer, ogg.byteOffset + last).getBigInt64(6, true)).toBe(100_312n);
    expect(() => muxOggOpus({ packets: [packet], frameSamples: 960, preSkip: 312, sampleCount: 1000, channels: 2, inputSampleRate: RATE, vendor: 'test' })).toThrow(/fewer than/);
  });
});
