/**
 * A score as the synthesizer plays it: one MIDI channel per track (channel i plays track i) with its program, pan
 * and reverb send, and the note-on/note-off events at sample frames.
 *
 * The score model has no controllers, so the mix is decided here: bass, drums and the first part in the middle, the
 * other parts spread alternately left and right, a little reverb on everything.
 */
import { tickToSeconds, type Score, type Track } from '../music/score.ts';
import { instrumentFamily } from '../music/instruments.ts';

export interface ChannelSetup {
  channel: number;
  isDrum: boolean;
  program: number;
  /** MIDI pan, 0 (left) - 64 (centre) - 127 (right). */
  pan: number;
  /** MIDI CC 91 (reverb send). */
  reverb: number;
}

export interface NoteEvent {
  frame: number;
  channel: number;
  pitch: number;
  /** 0 for a note-off. */
  velocity: number;
}

export interface Performance {
  channels: ChannelSetup[];
  /** Sorted by frame; at the same frame note-offs come first, so a repeated note is re-struck. */
  events: NoteEvent[];
  /** Frame where the last note ends. */
  endFrame: number;
}

const PAN_STEPS = [20, 34, 44];

export function performScore(score: Score, sampleRate: number): Performance {
  const toFrame = (tick: number) => Math.round(tickToSeconds(score, tick) * sampleRate);
  let spread = 0;
  const channels = score.tracks.map((track, index): ChannelSetup => {
    const centred = index === 0 || track.isDrum || instrumentFamily(track.program) === 'bass';
    let pan = 64;
    if (!centred) {
      const step = PAN_STEPS[Math.min(PAN_STEPS.length - 1, Math.floor(spread / 2))];
      pan = spread % 2 === 0 ? 64 - step : 64 + step;
      spread += 1;
    }
    return { channel: index, isDrum: track.isDrum, program: track.isDrum ? 0 : track.program, pan, reverb: reverbSend(track) };
  });
  const events: NoteEvent[] = [];
  let endFrame = 0;
  score.tracks.forEach((track, channel) => {
    for (const note of track.notes) {
      const on = toFrame(note.onset);
      const off = Math.max(on + 1, toFrame(note.onset + note.duration));
      events.push({ frame: on, channel, pitch: note.pitch, velocity: note.velocity });
      events.push({ frame: off, channel, pitch: note.pitch, velocity: 0 });
      endFrame = Math.max(endFrame, off);
    }
  });
  events.sort((a, b) => a.frame - b.frame || Math.sign(a.velocity) - Math.sign(b.velocity));
  return { channels, events, endFrame };
}

function reverbSend(track: Track): number {
  if (track.isDrum) return 24;
  return instrumentFamily(track.program) === 'bass' ? 16 : 40;
}

