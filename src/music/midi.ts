/**
 * MIDI in and out of the score model: read with midi-file (midi-events.ts, @tonejs/midi's pairing rules in linear
 * time), written with @tonejs/midi.
 *
 * Reading quantizes onto the shared grid (src/music/grid.ts) and gives one track per instrument, so that a score
 * read from a file, analysed, tokenized and written again all agree. A file that cannot be read raises a
 * MidiReadError naming the reason; it never yields a silently empty score.
 */
import tonejs from '@tonejs/midi';
import {
  DEFAULT_BPM, DRUMS, TICKS_PER_QUARTER, barIndexAt, barsOf, instrumentOf,
  type Note, type Score, type TempoChange, type TimeSignature, type Track,
} from './score.ts';
import { clampBpm, normalizeTimeSignature, snapDuration, snapOffset } from './grid.ts';
import { instrumentName } from './instruments.ts';
import { readMidiEvents, type RawMidi } from './midi-events.ts';
import { MAX_READ_QUARTERS } from './length-limits.ts';

const { Midi } = tonejs;

export type MidiReadReason = 'empty-file' | 'not-midi' | 'bad-header' | 'corrupt' | 'no-notes';

export class MidiReadError extends Error {
  constructor(readonly reason: MidiReadReason, detail: string) {
    super(`cannot read MIDI (${reason}): ${detail}`);
    this.name = 'MidiReadError';
  }
}

/**
 * Keeps the header chunk and the track chunks it announces; drops anything after them (garbage, padding, a second
 * concatenated file) and shortens a last chunk whose declared length runs past the end of the file.
 */
export function trimMidiChunks(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) throw new MidiReadError('empty-file', 'the file is empty');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  let start = 0;
  // Some files carry a RIFF (RMID) wrapper or a few bytes of junk before the header.
  const headerAt = findTag(bytes, 'MThd');
  if (headerAt < 0) throw new MidiReadError('not-midi', 'no MThd header chunk');
  start = headerAt;
  if (bytes.length < start + 14) throw new MidiReadError('bad-header', 'header chunk is cut short');
  const headerLength = view.getUint32(start + 4);
  const trackCount = view.getUint16(start + 10);
  if (headerLength < 6) throw new MidiReadError('bad-header', `header length ${headerLength}`);
  let at = start + 8 + headerLength;
  const pieces: Uint8Array[] = [bytes.subarray(start, at)];
  let tracksFound = 0;
  while (tracksFound < trackCount && at + 8 <= bytes.length) {
    const length = view.getUint32(at + 4);
    const end = Math.min(bytes.length, at + 8 + length);
    if (tag(at) === 'MTrk') {
      // A copy, not a view: on a Buffer, slice() shares memory, and the length written below would land in the
      // caller's bytes (the MThd length field, corrupting the file).
      const chunk = new Uint8Array(bytes.subarray(at, end));
      new DataView(chunk.buffer).setUint32(4, end - at - 8);
      pieces.push(chunk);
      tracksFound += 1;
    }
    at = end;
  }
  if (tracksFound === 0) throw new MidiReadError('corrupt', 'no track chunk');
  const out = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  // The header must announce what is really there.
  new DataView(out.buffer).setUint16(10, tracksFound);
  return out;
}

function findTag(bytes: Uint8Array, tag: string): number {
  const limit = Math.min(bytes.length - 4, 4096);
  for (let i = 0; i <= limit; i++) {
    if (bytes[i] === tag.charCodeAt(0) && bytes[i + 1] === tag.charCodeAt(1)
      && bytes[i + 2] === tag.charCodeAt(2) && bytes[i + 3] === tag.charCodeAt(3)) return i;
  }
  return -1;
}

function parseEvents(bytes: Uint8Array): RawMidi {
  const trimmed = trimMidiChunks(bytes);
  try {
    return readMidiEvents(trimmed);
  } catch (error) {
    throw new MidiReadError('corrupt', error instanceof Error ? error.message : String(error));
  }
}

/** Reads MIDI bytes into a quantized score with one track per instrument. */
export function readMidi(bytes: Uint8Array): Score {
  return readMidiFile(bytes).score;
}

/**
 * Reads MIDI bytes into a quantized score, with notes for the user about what was left out: a file whose delta
 * times run past MAX_READ_QUARTERS is read up to there (its later notes, tempi and meters are dropped), because
 * the bar list and everything after it grow with the length, and a corrupt delta time can claim days.
 */
export function readMidiFile(bytes: Uint8Array): { score: Score; notes: string[] } {
  const midi = parseEvents(bytes);
  const ppq = midi.ppq;
  if (!(ppq !== undefined && ppq > 0)) throw new MidiReadError('bad-header', `division ${ppq} is not ticks per quarter note`);
  const toGrid = (ticks: number) => (ticks * TICKS_PER_QUARTER) / ppq;
  const limit = MAX_READ_QUARTERS * TICKS_PER_QUARTER;
  const inside = (ticks: number) => toGrid(ticks) < limit;

  const timeSignatures = quantizeTimeSignatures(midi.timeSignatures.filter((ts) => inside(ts.ticks))
    .map((ts) => ({ tick: toGrid(ts.ticks), numerator: ts.numerator, denominator: ts.denominator })));
  let lastTick = 0;
  let dropped = 0;
  let furthest = 0;
  for (const track of midi.tracks) {
    for (const note of track.notes) {
      furthest = Math.max(furthest, toGrid(note.ticks));
      if (!inside(note.ticks)) dropped += 1;
      else lastTick = Math.max(lastTick, Math.min(limit, toGrid(note.ticks + note.durationTicks)));
    }
  }
  const bars = barsOf({ timeSignatures }, lastTick + 1);
  const snapTick = (exact: number) => snapToBarGrid(bars, exact);

  const tempos = quantizeTempos(midi.tempos.filter((tempo) => inside(tempo.ticks))
    .map((tempo) => ({ tick: snapTick(toGrid(tempo.ticks)), bpm: tempo.bpm })));

  const byInstrument = new Map<number, Track>();
  for (const source of midi.tracks) {
    if (source.notes.length === 0) continue;
    const isDrum = source.channel === 9;
    const program = isDrum ? 0 : Math.max(0, Math.min(127, source.program));
    const id = instrumentOf({ program, isDrum });
    let track = byInstrument.get(id);
    if (!track) {
      track = { program, isDrum, name: source.name.trim() || instrumentName(id), notes: [] };
      byInstrument.set(id, track);
    }
    for (const note of source.notes) {
      // Some files carry note numbers past 127 (a corrupt running status); they are not notes.
      if (!(note.midi >= 0 && note.midi <= 127) || !inside(note.ticks)) continue;
      track.notes.push({
        onset: snapTick(toGrid(note.ticks)),
        duration: snapDuration(toGrid(note.durationTicks)),
        pitch: note.midi,
        velocity: Math.max(1, Math.min(127, note.velocity)),
      });
    }
  }
  const tracks = [...byInstrument.values()].map((track) => ({ ...track, notes: dedupeNotes(track.notes) }));
  tracks.sort((a, b) => instrumentOf(a) - instrumentOf(b));
  if (tracks.length === 0) throw new MidiReadError('no-notes', 'the file has no notes');
  const notes = dropped === 0 ? [] : [
    `the file runs to quarter note ${Math.round(furthest / TICKS_PER_QUARTER)}; only the first ${MAX_READ_QUARTERS} quarter notes are read (${dropped} later ${dropped === 1 ? 'note' : 'notes'} left out)`,
  ];
  return { score: { tempos, timeSignatures, tracks }, notes };
}

/** Snaps an exact (fractional) tick to the nearest grid position of its bar. */
function snapToBarGrid(bars: ReturnType<typeof barsOf>, exact: number): number {
  const bar = bars[barIndexAt(bars, exact)];
  return bar.start + snapOffset(Math.max(0, exact - bar.start));
}

/** Meters from the file, mapped to representable ones and moved onto bar lines; 4/4 when the file has none. */
function quantizeTimeSignatures(raw: TimeSignature[]): TimeSignature[] {
  const sorted = [...raw].sort((a, b) => a.tick - b.tick);
  const result: TimeSignature[] = [];
  for (const signature of sorted) {
    const [numerator, denominator] = normalizeTimeSignature(signature.numerator, signature.denominator);
    let tick = 0;
    if (result.length > 0) {
      // The next bar line at or after the event, counted in the meter in force.
      const previous = result[result.length - 1];
      const bar = (previous.numerator * TICKS_PER_QUARTER * 4) / previous.denominator;
      tick = previous.tick + Math.ceil(Math.max(0, signature.tick - previous.tick - 1e-6) / bar) * bar;
    } else if (signature.tick > TICKS_PER_QUARTER) {
      // A first meter well after the start: 4/4 until its bar line.
      result.push({ tick: 0, numerator: 4, denominator: 4 });
      tick = Math.ceil(signature.tick / 48 - 1e-6) * 48;
    }
    const last = result[result.length - 1];
    if (last && last.tick === tick) result.pop();
    const kept = result[result.length - 1];
    if (kept && kept.numerator === numerator && kept.denominator === denominator) continue;
    result.push({ tick, numerator, denominator });
  }
  return result.length ? result : [{ tick: 0, numerator: 4, denominator: 4 }];
}

/** Whole BPM within the representable range; one entry per tick; repeats dropped; 120 until the first. */
function quantizeTempos(raw: TempoChange[]): TempoChange[] {
  const sorted = [...raw].sort((a, b) => a.tick - b.tick);
  const result: TempoChange[] = [];
  for (const tempo of sorted) {
    const bpm = clampBpm(tempo.bpm);
    if (result.length && result[result.length - 1].tick === tempo.tick) result.pop();
    if (result.length && result[result.length - 1].bpm === bpm) continue;
    result.push({ tick: tempo.tick, bpm });
  }
  if (result.length === 0 || result[0].tick > 0) result.unshift({ tick: 0, bpm: DEFAULT_BPM });
  // Removing a same-tick entry can leave two equal neighbours.
  return result.filter((tempo, i) => i === 0 || tempo.bpm !== result[i - 1].bpm);
}

/** Sorted by onset then pitch; a repeated (onset, pitch) keeps the longest and loudest. */
export function dedupeNotes(notes: Note[]): Note[] {
  const sorted = [...notes].sort((a, b) => a.onset - b.onset || a.pitch - b.pitch || b.duration - a.duration);
  const result: Note[] = [];
  for (const note of sorted) {
    const last = result[result.length - 1];
    if (last && last.onset === note.onset && last.pitch === note.pitch) {
      last.velocity = Math.max(last.velocity, note.velocity);
      continue;
    }
    result.push({ ...note });
  }
  return result;
}

const WRITE_PPQ = 480;

/** Writes a score as a format-1 MIDI file; drums on channel 10, other instruments on their own channels. */
export function writeMidi(score: Score): Uint8Array {
  const midi = new Midi();
  const scale = WRITE_PPQ / TICKS_PER_QUARTER;
  midi.header.tempos = score.tempos.map((tempo) => ({ ticks: tempo.tick * scale, bpm: tempo.bpm }));
  midi.header.timeSignatures = score.timeSignatures.map((ts) => ({
    ticks: ts.tick * scale,
    timeSignature: [ts.numerator, ts.denominator],
  }));
  midi.header.update();
  const melodicChannels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15];
  let nextChannel = 0;
  for (const source of score.tracks) {
    const track = midi.addTrack();
    track.name = source.name;
    track.channel = source.isDrum ? 9 : melodicChannels[nextChannel++ % melodicChannels.length];
    track.instrument.number = source.isDrum ? 0 : source.program;
    for (const note of source.notes) {
      track.addNote({
        midi: note.pitch,
        ticks: note.onset * scale,
        durationTicks: note.duration * scale,
        // @tonejs/midi floors velocity * 127 when writing; the half step makes it land back on the same integer.
        velocity: (note.velocity + 0.5) / 127,
      });
    }
  }
  return midi.toArray();
}

export { DRUMS };
