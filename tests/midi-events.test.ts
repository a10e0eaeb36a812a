import tonejs from '@tonejs/midi';
import { describe, expect, it } from 'vitest';
import { readMidiEvents } from '../src/music/midi-events.ts';
import { trimMidiChunks } from '../src/music/midi.ts';
import type { ArchiveMember } from '../src/dataset/archive.ts';
import { fixtureMidi, sampleMidi, withoutData } from './helpers/data.ts';

const { Midi } = tonejs;

/** What both readers agree on for one track: its channel, program and notes (sorted the same way). */
function shape(track: { channel: number; program: number; name: string; notes: Array<{ ticks: number; durationTicks: number; midi: number; velocity: number }> }) {
  const notes = track.notes.map((n) => [n.ticks, n.durationTicks, n.midi, n.velocity]);
  notes.sort((a, b) => a[0] - b[0] || a[2] - b[2] || a[1] - b[1] || a[3] - b[3]);
  return { channel: track.channel, program: track.program, name: track.name, notes };
}

/** Our reader and @tonejs/midi agree on every file both can read; returns how many notes were compared. */
function compareWithTonejs(files: ArchiveMember[]): number {
  let notes = 0;
  for (const file of files) {
    const bytes = trimMidiChunks(file.bytes);
    let reference: InstanceType<typeof Midi>;
    try {
      reference = new Midi(bytes);
    } catch {
      continue; // @tonejs/midi's older bundled parser refuses some files that midi-file reads
    }
    const ours = readMidiEvents(bytes);
    expect(ours.ppq, file.name).toBe(reference.header.ppq);
    expect(ours.tempos.map((t) => [t.ticks, t.bpm]).sort((a, b) => a[0] - b[0]))
      .toEqual(reference.header.tempos.map((t) => [t.ticks, t.bpm]).sort((a, b) => a[0] - b[0]));
    expect(ours.timeSignatures.map((t) => [t.ticks, t.numerator, t.denominator]).sort((a, b) => a[0] - b[0]))
      .toEqual(reference.header.timeSignatures.map((t) => [t.ticks, ...t.timeSignature]).sort((a, b) => a[0] - b[0]));
    const theirs = reference.tracks.map((track) => shape({
      channel: track.channel, program: track.instrument.number, name: track.name,
      notes: track.notes.map((n) => ({ ticks: n.ticks, durationTicks: n.durationTicks, midi: n.midi, velocity: Math.round(n.velocity * 127) })),
    }));
    expect(ours.tracks.map(shape), file.name).toEqual(theirs);
    notes += ours.tracks.reduce((sum, track) => sum + track.notes.length, 0);
  }
  return notes;
}

describe('MIDI events (midi-file, paired in one pass)', () => {
  it('gives the same tracks, notes, tempi and meters as @tonejs/midi on real files', async () => {
    const files = [
      ...(await fixtureMidi('multitrack/freedoom.tar.gz', 40)),
      ...(await fixtureMidi('parts/pop909.tar.gz', 10)),
      ...(await fixtureMidi('parts/groove.tar.gz', 10)),
    ];
    expect(compareWithTonejs(files)).toBeGreaterThan(10_000);
  });

  it.skipIf(withoutData())('gives the same as @tonejs/midi on the freemidi and vgmusic collections', async () => {
    const files = [...(await sampleMidi('multitrack/freemidi.tar.gz', 25)), ...(await sampleMidi('multitrack/vgmusic.tar.gz', 25))];
    expect(compareWithTonejs(files)).toBeGreaterThan(10_000);
  });

  it('ends a note at the first unused note-off of its key at or after it, as @tonejs/midi does', () => {
    // Delta times: C4 on at 0 and again at 10 (overlapping), its offs at 20 and 30; E4 on at 5, offs at 0 (before it) and 40.
    const events = [
      [0, 0x90, 60, 100], [0, 0x80, 64, 0], [5, 0x90, 64, 90], [5, 0x90, 60, 80], [10, 0x80, 60, 0], [10, 0x80, 60, 0], [10, 0x80, 64, 0],
    ];
    const body: number[] = [];
    for (const [delta, status, key, velocity] of events) body.push(delta, status, key, velocity);
    body.push(0, 0xff, 0x2f, 0);
    const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96];
    const track = [0x4d, 0x54, 0x72, 0x6b, 0, 0, 0, body.length, ...body];
    const bytes = Uint8Array.from([...header, ...track]);
    const ours = readMidiEvents(bytes).tracks[0].notes.map((n) => [n.ticks, n.durationTicks, n.midi, n.velocity]);
    const theirs = new Midi(bytes).tracks[0].notes.map((n) => [n.ticks, n.durationTicks, n.midi, Math.round(n.velocity * 127)]);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([[0, 20, 60, 100], [5, 35, 64, 90], [10, 20, 60, 80]]);
  });
});
