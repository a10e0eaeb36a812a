/**
 * Brings a take to the house loudness (docs/RENDER.md): -16 LUFS integrated, true peak at most -1 dBTP.
 * Gain first; where the peaks would then pass the ceiling, the limiter takes them down, and the loudness it costs is
 * made up once.
 */
import { dbToGain, gainToDb, integratedLoudness, truePeak } from './loudness.ts';
import { limitPeaks } from './limiter.ts';
import type { StereoAudio } from './synthesize.ts';

export const TARGET_LUFS = -16;
export const CEILING_DBTP = -1;
/** The limiter works on samples; this margin leaves room for the peaks between them. */
const SAMPLE_PEAK_MARGIN_DB = 0.5;
/** A second gain pass only when the limiter cost more than this. */
const MAKEUP_THRESHOLD_LU = 0.2;

export interface LoudnessReport {
  /** Integrated loudness as synthesized, LUFS (-Infinity for silence). */
  inputLufs: number;
  /** After normalization. */
  outputLufs: number;
  truePeakDbtp: number;
  /** Total gain applied before limiting, dB. */
  gainDb: number;
  /** Deepest gain reduction of one limiter pass, dB (0 when it did nothing). */
  limiterDb: number;
}

export function normalizeLoudness(audio: StereoAudio, targetLufs = TARGET_LUFS, ceilingDbtp = CEILING_DBTP): LoudnessReport {
  const inputLufs = integratedLoudness(audio);
  if (!Number.isFinite(inputLufs)) {
    return { inputLufs, outputLufs: inputLufs, truePeakDbtp: gainToDb(truePeak(audio)), gainDb: 0, limiterDb: 0 };
  }
  const sampleCeiling = dbToGain(ceilingDbtp - SAMPLE_PEAK_MARGIN_DB);
  let gainDb = targetLufs - inputLufs;
  scale(audio, dbToGain(gainDb));
  let deepest = limitPeaks(audio, sampleCeiling);
  let outputLufs = deepest < 1 ? integratedLoudness(audio) : targetLufs;
  if (targetLufs - outputLufs > MAKEUP_THRESHOLD_LU) {
    const makeupDb = targetLufs - outputLufs;
    gainDb += makeupDb;
    scale(audio, dbToGain(makeupDb));
    deepest = Math.min(deepest, limitPeaks(audio, sampleCeiling));
    outputLufs = integratedLoudness(audio);
  }
  let peak = truePeak(audio);
  const ceiling = dbToGain(ceilingDbtp);
  if (peak > ceiling) {
    scale(audio, ceiling / peak);
    outputLufs += gainToDb(ceiling / peak);
    peak = ceiling;
  }
  return { inputLufs, outputLufs, truePeakDbtp: gainToDb(peak), gainDb, limiterDb: deepest < 1 ? gainToDb(deepest) : 0 };
}

function scale(audio: StereoAudio, gain: number): void {
  for (const channel of [audio.left, audio.right]) for (let i = 0; i < channel.length; i++) channel[i] *= gain;
}
