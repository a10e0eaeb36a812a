/**
 * A score to an Ogg Opus take: synthesize with a SoundFont, normalize loudness, finish and encode with ffmpeg.
 */
import { MAX_RENDER_SECONDS } from '../music/length-limits.ts';
import { scoreEndTick, tickToSeconds, type Score } from '../music/score.ts';
import { finishFor, type FinishStyle } from './finish.ts';
import { normalizeLoudness, TARGET_LUFS, type LoudnessReport } from './normalize.ts';
import { defaultOpusEncoder, encodeOggOpus, RenderError, type OpusEncoderName } from './opus.ts';
import { startOpusPool } from './opus-pool.ts';
import { SAMPLE_RATE } from './soundfonts.ts';
import { getSynthPool, isSynthPoolStarted } from './synth-pool.ts';

export interface RenderAudioOptions {
  /** A bundled font name or a path to an .sf2/.sf3 (default: soundfonts.ts DEFAULT_SOUNDFONT). */
  soundfont?: string;
  finish?: FinishStyle;
  /** Written into the file's metadata. */
  title?: string;
  targetLufs?: number;
  /** Default: the in-process libopus where it was built (opus.ts). */
  encoder?: OpusEncoderName;
}

export interface RenderTimings {
  /** Starting the render threads and decoding the SoundFont; 0 when that was done earlier in this process. */
  soundfontLoadMs: number;
  /** Synthesis, including any wait for an earlier render on the same font. */
  synthMs: number;
  loudnessMs: number;
  encodeMs: number;
  totalMs: number;
  /** Seconds of audio synthesized per second of synthesis. */
  synthSpeed: number;
}

export interface RenderedAudio {
  ogg: Uint8Array;
  /** Length of the take, tail included. */
  seconds: number;
  bitrate: number;
  /** In-process libopus, or ffmpeg's where @discordjs/opus was not built. */
  encoder: OpusEncoderName;
  soundfont: string;
  loudness: LoudnessReport;
  timings: RenderTimings;
}

export async function renderAudio(score: Score, options: RenderAudioOptions = {}): Promise<RenderedAudio> {
  const started = performance.now();
  // Checked before any buffer exists: the synthesis allocates the whole length at once, in every thread.
  const length = tickToSeconds(score, scoreEndTick(score));
  if (length > MAX_RENDER_SECONDS) {
    throw new RenderError(`the piece is ${describeLength(length)} long: Motif renders at most ${describeLength(MAX_RENDER_SECONDS)}`);
  }
  const finish = finishFor(options.finish ?? 'none', SAMPLE_RATE);
  const wasLoaded = isSynthPoolStarted(options.soundfont);
  const encoder = options.encoder ?? defaultOpusEncoder();
  // The encoding threads start while the font loads rather than after the synthesis; a failure shows in the encode.
  if (encoder === 'libopus') startOpusPool().catch(() => undefined);
  const pool = await getSynthPool(options.soundfont);
  const synthStart = performance.now();
  const audio = await pool.render(score, { tailSeconds: finish.tailSeconds, room: finish.room });
  const loudnessStart = performance.now();
  const loudness = normalizeLoudness(audio, options.targetLufs ?? TARGET_LUFS);
  const encodeStart = performance.now();
  const { ogg, bitrate } = await encodeOggOpus(audio, { filterGraph: finish.filterGraph, title: options.title, encoder });
  const done = performance.now();
  const seconds = audio.left.length / audio.sampleRate;
  return {
    ogg,
    seconds,
    bitrate,
    encoder,
    soundfont: pool.name,
    loudness,
    timings: {
      soundfontLoadMs: wasLoaded ? 0 : pool.loadMs,
      synthMs: loudnessStart - synthStart,
      loudnessMs: encodeStart - loudnessStart,
      encodeMs: done - encodeStart,
      totalMs: done - started,
      synthSpeed: seconds / ((loudnessStart - synthStart) / 1000),
    },
  };
}

/** "26 minutes", "9.1 hours": a length as a person would say it. */
function describeLength(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} minutes`;
  return `${(seconds / 3600).toFixed(1)} hours`;
}
