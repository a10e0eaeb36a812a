/**
 * Loudness as ITU-R BS.1770-4 / EBU R128 define it: K-weighted mean square over 400 ms blocks (75 % overlap), gated
 * at -70 LUFS and then 10 LU below the ungated mean; and true peak, the peak of the signal oversampled four times.
 */
import type { StereoAudio } from './synthesize.ts';

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * The two K-weighting stages from their analog prototypes (the 48 kHz coefficients printed in BS.1770 follow from
 * these), so any sample rate works.
 */
export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
  const shelfK = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  const shelfQ = 0.7071752369554196;
  const vh = 10 ** (3.999843853973347 / 20);
  const vb = vh ** 0.4996667741545416;
  const shelfA0 = 1 + shelfK / shelfQ + shelfK * shelfK;
  const shelf: Biquad = {
    b0: (vh + (vb * shelfK) / shelfQ + shelfK * shelfK) / shelfA0,
    b1: (2 * (shelfK * shelfK - vh)) / shelfA0,
    b2: (vh - (vb * shelfK) / shelfQ + shelfK * shelfK) / shelfA0,
    a1: (2 * (shelfK * shelfK - 1)) / shelfA0,
    a2: (1 - shelfK / shelfQ + shelfK * shelfK) / shelfA0,
  };
  const passK = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  const passQ = 0.5003270373238773;
  const passA0 = 1 + passK / passQ + passK * passK;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (passK * passK - 1)) / passA0,
    a2: (1 - passK / passQ + passK * passK) / passA0,
  };
  return [shelf, highPass];
}

const BLOCK_SECONDS = 0.4;
const HOP_SECONDS = 0.1;
const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;

/** Integrated loudness in LUFS; -Infinity for silence or audio shorter than one 400 ms block. */
export function integratedLoudness(audio: StereoAudio): number {
  const hop = Math.round(HOP_SECONDS * audio.sampleRate);
  const hopsPerBlock = Math.round(BLOCK_SECONDS / HOP_SECONDS);
  const hopEnergy = new Float64Array(Math.floor(audio.left.length / hop));
  for (const channel of [audio.left, audio.right]) addHopEnergies(channel, audio.sampleRate, hop, hopEnergy);
  const blockCount = hopEnergy.length - hopsPerBlock + 1;
  if (blockCount <= 0) return -Infinity;
  const blockPower = new Float64Array(blockCount);
  for (let block = 0; block < blockCount; block++) {
    let sum = 0;
    for (let k = 0; k < hopsPerBlock; k++) sum += hopEnergy[block + k];
    blockPower[block] = sum / (hop * hopsPerBlock);
  }
  const gatedMean = (threshold: number) => {
    let sum = 0;
    let count = 0;
    for (const power of blockPower) {
      if (powerToLufs(power) > threshold) {
        sum += power;
        count += 1;
      }
    }
    return count ? sum / count : 0;
  };
  const absoluteMean = gatedMean(ABSOLUTE_GATE_LUFS);
  if (absoluteMean === 0) return -Infinity;
  const relativeGate = Math.max(ABSOLUTE_GATE_LUFS, powerToLufs(absoluteMean) + RELATIVE_GATE_LU);
  return powerToLufs(gatedMean(relativeGate));
}

function powerToLufs(power: number): number {
  return -0.691 + 10 * Math.log10(power);
}

/** Adds the K-weighted energy of each hop of one channel into `into` (both channels weigh 1.0). */
function addHopEnergies(samples: Float32Array, sampleRate: number, hop: number, into: Float64Array): void {
  const [s, h] = kWeightingFilters(sampleRate);
  let sx1 = 0, sx2 = 0, sy1 = 0, sy2 = 0;
  let hy1 = 0, hy2 = 0;
  const end = into.length * hop;
  for (let start = 0; start < end; start += hop) {
    let energy = 0;
    for (let i = start; i < start + hop; i++) {
      const x = samples[i];
      const shelved = s.b0 * x + s.b1 * sx1 + s.b2 * sx2 - s.a1 * sy1 - s.a2 * sy2;
      // The high-pass stage's input is the shelf's output, so the shelf's output history serves both.
      const weighted = shelved - 2 * sy1 + sy2 - h.a1 * hy1 - h.a2 * hy2;
      sx2 = sx1;
      sx1 = x;
      sy2 = sy1;
      sy1 = shelved;
      hy2 = hy1;
      hy1 = weighted;
      energy += weighted * weighted;
    }
    into[start / hop] += energy;
  }
}

const OVERSAMPLING = 4;
const HALF_TAPS = 6;

/**
 * Interpolation filters for the three in-between phases of 4x oversampling: Hann-windowed sinc over 12 neighbours,
 * as BS.1770's true-peak meter does (phase 0 is the sample itself).
 */
const PHASE_TAPS: Float64Array[] = Array.from({ length: OVERSAMPLING - 1 }, (_, index) => {
  const fraction = (index + 1) / OVERSAMPLING;
  const taps = new Float64Array(2 * HALF_TAPS);
  for (let k = 0; k < taps.length; k++) {
    const t = k - (HALF_TAPS - 1) - fraction; // distance from the interpolated point to sample m + k - 5
    const window = Math.cos((Math.PI * t) / (2 * HALF_TAPS + 1)) ** 2;
    taps[k] = (Math.sin(Math.PI * t) / (Math.PI * t)) * window;
  }
  return taps;
});

/**
 * True peak (linear, 1.0 = 0 dBTP). A peak of the continuous signal lies next to a local maximum of the samples'
 * magnitude, so the in-between points are computed only on both sides of those maxima, and only of maxima within
 * 6 dB of the sample peak (intersample overs in music are a fraction of that).
 */
export function truePeak(audio: StereoAudio): number {
  let peak = 0;
  for (const channel of [audio.left, audio.right]) {
    let samplePeak = 0;
    for (let i = 0; i < channel.length; i++) samplePeak = Math.max(samplePeak, Math.abs(channel[i]));
    peak = Math.max(peak, samplePeak);
    const candidate = samplePeak / 2;
    for (let m = HALF_TAPS; m < channel.length - HALF_TAPS - 1; m++) {
      const magnitude = Math.abs(channel[m]);
      if (magnitude < candidate || magnitude < Math.abs(channel[m - 1]) || magnitude < Math.abs(channel[m + 1])) continue;
      peak = Math.max(peak, interpolatedPeak(channel, m - 1), interpolatedPeak(channel, m));
    }
  }
  return peak;
}

/** Largest magnitude at the in-between points of samples m and m + 1. */
function interpolatedPeak(channel: Float32Array, m: number): number {
  let peak = 0;
  const first = m - (HALF_TAPS - 1);
  for (const taps of PHASE_TAPS) {
    let value = 0;
    for (let k = 0; k < taps.length; k++) value += taps[k] * channel[first + k];
    peak = Math.max(peak, Math.abs(value));
  }
  return peak;
}

export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
