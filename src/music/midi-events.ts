/**
 * MIDI bytes -> tracks of paired notes, with midi-file (the parser inside @tonejs/midi) and @tonejs/midi's own rules:
 * a track chunk is split by (channel, program), a track's program is its first program change and its channel that
 * of its last note-on, and each note-on ends at the first unused note-off of the same key at or after it.
 *
 * Why not `new Midi(bytes)`: @tonejs/midi pairs note-offs with a search and a splice per note and builds every
 * control change, which is quadratic in a track's notes and took a third of the dataset build (docs/DATA.md). The
 * same pairing in one pass per key gives the same notes.
 */
import { parseMidi, type MidiEvent } from 'midi-file';

export interface RawNote {
  /** Start and length in the file's ticks. */
  ticks: number;
  durationTicks: number;
  /** MIDI key number as written (a corrupt file may carry one past 127). */
  midi: number;
  /** Note-on velocity, 0-127. */
  velocity: number;
}

export interface RawTrack {
  name: string;
  /** The channel of the track's last note-on (0 without notes); 9 is the drum channel. */
  channel: number;
  /** The first program change, 0 without one. */
  program: number;
  notes: RawNote[];
}

export interface RawMidi {
  /** Ticks per quarter note; undefined for SMPTE time division. */
  ppq: number | undefined;
  tempos: Array<{ ticks: number; bpm: number }>;
  timeSignatures: Array<{ ticks: number; numerator: number; denominator: number }>;
  tracks: RawTrack[];
}

type TimedEvent = MidiEvent & { absoluteTime: number };

/** At most one (channel, program) pair per track: events with a channel go to the track of their pair. */
function splitByChannelAndProgram(tracks: TimedEvent[][]): TimedEvent[][] {
  const split: TimedEvent[][] = [];
  for (const events of tracks) {
    const first = split.length;
    const trackOfPair = new Map<string, number>();
    const currentProgram = new Array<number>(16).fill(0);
    for (const event of events) {
      let target = first;
      if ('channel' in event) {
        if (event.type === 'programChange') currentProgram[event.channel] = event.programNumber;
        const pair = `${currentProgram[event.channel]} ${event.channel}`;
        if (!trackOfPair.has(pair)) trackOfPair.set(pair, first + trackOfPair.size);
        target = trackOfPair.get(pair)!;
      }
      (split[target] ??= []).push(event);
    }
  }
  return split;
}

function readTrack(events: TimedEvent[]): RawTrack {
  let name: string | undefined;
  let program: number | undefined;
  let channel = 0;
  const ons: TimedEvent[] = [];
  /** Note-offs per key, in file order (so in time order). */
  const offsByKey = new Map<number, TimedEvent[]>();
  for (const event of events) {
    if (event.type === 'trackName') name ??= event.text;
    else if (event.type === 'programChange' && program === undefined) program = event.programNumber;
    else if (event.type === 'noteOn') ons.push(event);
    else if (event.type === 'noteOff') {
      let offs = offsByKey.get(event.noteNumber);
      if (!offs) offsByKey.set(event.noteNumber, (offs = []));
      offs.push(event);
    }
  }
  const nextOff = new Map<number, number>();
  const notes: RawNote[] = [];
  for (const on of ons) {
    if (on.type !== 'noteOn') continue;
    channel = on.channel;
    const offs = offsByKey.get(on.noteNumber);
    if (!offs) continue;
    // Note-ons come in time order, so an off before this one can never end a later note either.
    let index = nextOff.get(on.noteNumber) ?? 0;
    while (index < offs.length && offs[index].absoluteTime < on.absoluteTime) index += 1;
    if (index >= offs.length) {
      nextOff.set(on.noteNumber, index);
      continue;
    }
    nextOff.set(on.noteNumber, index + 1);
    notes.push({ ticks: on.absoluteTime, durationTicks: offs[index].absoluteTime - on.absoluteTime, midi: on.noteNumber, velocity: on.velocity });
  }
  notes.sort((a, b) => a.ticks - b.ticks);
  return { name: name ?? '', channel, program: program ?? 0, notes };
}

/** Parses MIDI bytes; throws what midi-file throws on a file it cannot parse. */
export function readMidiEvents(bytes: Uint8Array): RawMidi {
  const data = parseMidi(bytes);
  const timed = data.tracks.map((events) => {
    let ticks = 0;
    return events.map((event) => {
      ticks += event.deltaTime;
      return Object.assign(event, { absoluteTime: ticks }) as TimedEvent;
    });
  });
  const tempos: RawMidi['tempos'] = [];
  const timeSignatures: RawMidi['timeSignatures'] = [];
  for (const events of timed) {
    for (const event of events) {
      if (event.type === 'setTempo') tempos.push({ ticks: event.absoluteTime, bpm: 60_000_000 / event.microsecondsPerBeat });
      else if (event.type === 'timeSignature') timeSignatures.push({ ticks: event.absoluteTime, numerator: event.numerator, denominator: event.denominator });
    }
  }
  const tracks = splitByChannelAndProgram(timed).map(readTrack);
  // As @tonejs/midi does: in format 1 a first track without sounding notes is the conductor track.
  if (data.header.format === 1 && tracks.length > 0 && tracks[0].notes.every((note) => note.ticks + note.durationTicks === 0)) tracks.shift();
  return { ppq: data.header.ticksPerBeat, tempos, timeSignatures, tracks };
}
