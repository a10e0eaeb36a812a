/**
 * Style-aware finishing: an ffmpeg filter graph run in the encoding process, plus what the synthesizer should do
 * differently for the style (room, tail). `none` leaves the synthesizer's output as it is.
 *
 * The filters change loudness a little (a low-pass takes away the highs that K-weighting counts most), so each style
 * ends with a fixed make-up gain, measured over real files (docs/RENDER.md), to land back near the target.
 */
import { STUDIO_ROOM, type Room } from './synthesize.ts';

export const FINISH_STYLES = ['none', 'lofi', 'ambient'] as const;
export type FinishStyle = (typeof FINISH_STYLES)[number];

export interface Finish {
  room: Room;
  tailSeconds: number;
  /** The ffmpeg -filter_complex graph from [0:a] to [out], or undefined for none. */
  filterGraph?: string;
}

/** A larger, darker room with more send: the synthesizer's reverb does the long tail, the echoes thicken it. */
const HALL_ROOM: Room = { roomSize: 0.8, damping: 0.35, width: 1, level: 0.9, sendScale: 1.8 };

/** amerge needs its inputs in one sample format. */
const FORMAT = 'aformat=sample_fmts=fltp';
/** The echoes and the noise can stack on a peak: a limiter at -1 dBFS after them (no auto-level). */
const PEAK_GUARD = 'alimiter=limit=0.891:level=0';
const LOFI_MAKEUP_DB = 0.4;
const AMBIENT_MAKEUP_DB = 0;

export function finishFor(style: FinishStyle, sampleRate: number): Finish {
  switch (style) {
    case 'none':
      return { room: STUDIO_ROOM, tailSeconds: 1.5 };
    case 'lofi':
      return {
        room: STUDIO_ROOM,
        tailSeconds: 1.5,
        filterGraph: [
          // Band-limited like a cassette (24 dB/octave above 5 kHz), with a slow pitch wobble (about 5 cents at 0.6 Hz).
          `[0:a]highpass=f=70,lowpass=f=5000,lowpass=f=5000,vibrato=f=0.6:d=0.3,${FORMAT}:channel_layouts=stereo[music]`,
          // Hiss: pink noise about 40 dB under the music.
          `anoisesrc=c=pink:r=${sampleRate}:a=0.01:s=17,highpass=f=400,lowpass=f=6000,${FORMAT}:channel_layouts=mono[hiss]`,
          // Crackle: about ten soft clicks a second at random.
          `aevalsrc='if(lt(random(0),0.0002),(random(1)-0.5)*0.6,0)':s=${sampleRate},lowpass=f=2500,${FORMAT}:channel_layouts=mono[crackle]`,
          `[hiss][crackle]amerge=inputs=2,pan=mono|c0=c0+c1[noise]`,
          `[music][noise]amerge=inputs=2,pan=stereo|c0=c0+c2|c1=c1+c2,volume=${LOFI_MAKEUP_DB}dB,${PEAK_GUARD}[out]`,
        ].join(';'),
      };
    case 'ambient':
      return {
        room: HALL_ROOM,
        tailSeconds: 4,
        // Echoes at unrelated delays; the output gain keeps the total power about where it was.
        filterGraph: `[0:a]aecho=1:0.92:113|241|397|601|887|1259:0.28|0.22|0.17|0.12|0.08|0.05,volume=${AMBIENT_MAKEUP_DB}dB,${PEAK_GUARD}[out]`,
      };
  }
}
