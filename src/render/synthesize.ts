/**
 * Offline synthesis: the score's note events are fed to FluidSynth between render() calls that stop at each event's
 * frame, so nothing runs in real time and timing is exact to FluidSynth's 64-frame block (1.3 ms).
 */
import type { Score } from '../music/score.ts';
import type { FluidSynthesizer } from './fluidsynth.ts';
import { performScore, type Performance } from './performance.ts';
import { CHANNEL_COUNT, SAMPLE_RATE, type LoadedSoundFont } from './soundfonts.ts';

export interface Room {
  roomSize: number;
  damping: number;
  width: number;
  level: number;
  /** Multiplies every channel's reverb send. */
  sendScale: number;
}

/** FluidSynth's own default reverb: a small room. */
export const STUDIO_ROOM: Room = { roomSize: 0.2, damping: 0, width: 0.5, level: 0.9, sendScale: 1 };

export interface SynthesisOptions {
  /** Seconds rendered after the last note ends, so that releases and reverb ring out. */
  tailSeconds?: number;
  room?: Room;
  /**
   * The part of the score to play (default all): whole tracks, or some pitches of a track. The length and every
   * track's channel, pan and sends stay those of the whole score, so renders of disjoint parts add up to the render
   * of the whole (synth-pool.ts splits a render this way).
   */
  part?: readonly TrackPart[];
}

/** A track, or only its notes of the given pitches (every note of one key stays in one part: see synth-pool.ts). */
export interface TrackPart {
  track: number;
  pitches?: readonly number[];
}

export interface StereoAudio {
  sampleRate: number;
  left: Float32Array;
  right: Float32Array;
}

const MIDI_CC_VOLUME = 7;
const MIDI_CC_PAN = 10;
const MIDI_CC_REVERB = 91;
const MIDI_CC_CHORUS = 93;
/** Frames per render() call between events; the synthesizer's scratch buffer is sized for this once. */
const MAX_CHUNK = 8192;
/** FluidSynth computes audio in blocks of this many frames and applies events at block starts. */
const BLOCK_FRAMES = 64;
/** Frames each synthesizer has rendered, modulo BLOCK_FRAMES. */
const blockPhase = new WeakMap<FluidSynthesizer, number>();

/** Renders into the given buffers, keeping count of where the synthesizer is in its block. */
function renderInto(synth: FluidSynthesizer, left: Float32Array, right: Float32Array): void {
  synth.render([left, right]);
  blockPhase.set(synth, ((blockPhase.get(synth) ?? 0) + left.length) % BLOCK_FRAMES);
}

export function synthesize(font: LoadedSoundFont, score: Score, options: SynthesisOptions = {}): Promise<StereoAudio> {
  if (score.tracks.length > CHANNEL_COUNT) {
    return Promise.reject(new Error(`${score.tracks.length} tracks: the synthesizer has ${CHANNEL_COUNT} channels`));
  }
  const whole = performScore(score, SAMPLE_RATE);
  const frames = whole.endFrame + Math.round((options.tailSeconds ?? 1.5) * SAMPLE_RATE);
  // Track index (= channel) -> the pitches it plays, or null for all of them.
  const playing = options.part && new Map(options.part.map(({ track, pitches }) => [track, pitches ? new Set(pitches) : null]));
  const part = playing
    ? {
      ...whole,
      channels: whole.channels.filter((setup) => playing.has(setup.channel)),
      events: whole.events.filter((event) => {
        const pitches = playing.get(event.channel);
        return pitches !== undefined && (pitches === null || pitches.has(event.pitch));
      }),
    }
    : whole;
  return font.exclusive((synth) => play(synth, part, frames, options.room ?? STUDIO_ROOM));
}

function play(synth: FluidSynthesizer, performance: Performance, frames: number, room: Room): StereoAudio {
  drain(synth);
  synth.midiSystemReset();
  synth.setReverb(room.roomSize, room.damping, room.width, room.level);
  for (const setup of performance.channels) {
    synth.setChannelType(setup.channel, setup.isDrum);
    synth.midiProgramChange(setup.channel, setup.program);
    synth.midiControl(setup.channel, MIDI_CC_VOLUME, 100);
    synth.midiControl(setup.channel, MIDI_CC_PAN, setup.pan);
    synth.midiControl(setup.channel, MIDI_CC_REVERB, Math.min(127, Math.round(setup.reverb * room.sendScale)));
    synth.midiControl(setup.channel, MIDI_CC_CHORUS, 0);
  }
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let position = 0;
  const renderUntil = (end: number) => {
    while (position < end) {
      const count = Math.min(end - position, MAX_CHUNK);
      renderInto(synth, left.subarray(position, position + count), right.subarray(position, position + count));
      position += count;
    }
  };
  for (const event of performance.events) {
    renderUntil(Math.min(frames, event.frame));
    if (event.velocity > 0) synth.midiNoteOn(event.channel, event.pitch, event.velocity);
    else synth.midiNoteOff(event.channel, event.pitch);
  }
  renderUntil(frames);
  return { sampleRate: SAMPLE_RATE, left, right };
}

/** Below -100 dBFS, what an earlier render leaves in the reverb is inaudible even after loudness gain. */
const DRAIN_FLOOR = 1e-5;
const DRAIN_CHUNK = 32 * BLOCK_FRAMES;
const DRAIN_LIMIT_FRAMES = 10 * SAMPLE_RATE;

/**
 * Silences the voices an earlier render left and lets its reverb tail die away, and ends on a block boundary so
 * that every render of the same score gives the same samples. FluidSynth has no call that clears the reverb (system
 * reset and switching reverb off both keep its delay lines), so the tail is rendered and dropped.
 */
function drain(synth: FluidSynthesizer): void {
  synth.midiAllSoundsOff();
  const toBoundary = (BLOCK_FRAMES - (blockPhase.get(synth) ?? 0)) % BLOCK_FRAMES;
  if (toBoundary > 0) renderInto(synth, new Float32Array(toBoundary), new Float32Array(toBoundary));
  const left = new Float32Array(DRAIN_CHUNK);
  const right = new Float32Array(DRAIN_CHUNK);
  for (let rendered = 0; rendered < DRAIN_LIMIT_FRAMES; rendered += DRAIN_CHUNK) {
    renderInto(synth, left, right);
    if (peakOf(left) < DRAIN_FLOOR && peakOf(right) < DRAIN_FLOOR) return;
  }
}

function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  return peak;
}
