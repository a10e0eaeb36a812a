import { describe, expect, it } from 'vitest';
import { MidiReadError, readMidi, writeMidi } from '../src/music/midi.ts';
import { DRUMS, instrumentOf, noteCount } from '../src/music/score.ts';
import { checkRoundTrip } from '../src/tokens/roundtrip.ts';
import type { ArchiveMember } from '../src/dataset/archive.ts';
import { fixtureMidi, sampleMidi, withoutData } from './helpers/data.ts';

function readError(bytes: Uint8Array): MidiReadError {
  try {
    readMidi(bytes);
  } catch (error) {
    if (error instanceof MidiReadError) return error;
    throw error;
  }
  throw new Error('expected a MidiReadError');
}

/** Reads the sample of each archive: notes, tempo and meter at tick 0, positive durations; a MidiReadError at worst. */
async function expectReadable(read: (archive: string, count: number) => Promise<ArchiveMember[]>, archives: string[]): Promise<void> {
  for (const archive of archives) {
    const members = await read(archive, 15);
    let readable = 0;
    for (const member of members) {
      let score;
      try {
        score = readMidi(member.bytes);
      } catch (error) {
        expect(error, `${archive}:${member.name}`).toBeInstanceOf(MidiReadError);
        continue;
      }
      readable += 1;
      expect(noteCount(score)).toBeGreaterThan(0);
      expect(score.tempos[0].tick).toBe(0);
      expect(score.timeSignatures[0].tick).toBe(0);
      for (const track of score.tracks) for (const note of track.notes) expect(note.duration).toBeGreaterThan(0);
    }
    expect(readable, archive).toBeGreaterThanOrEqual(members.length - 2);
  }
}

describe('readMidi on real files', () => {
  it('reads the fixture collections with notes, tempo and meter', async () => {
    await expectReadable(fixtureMidi, ['multitrack/freedoom.tar.gz', 'parts/pop909.tar.gz', 'parts/groove.tar.gz']);
  });

  it.skipIf(withoutData())('reads every collection of the training data with notes, tempo and meter', async () => {
    await expectReadable(sampleMidi, ['multitrack/freemidi.tar.gz', 'multitrack/vgmusic.tar.gz', 'multitrack/riddim.tar.gz',
      'multitrack/freedoom.tar.gz', 'parts/pop909.tar.gz', 'parts/groove.tar.gz', 'parts/nottingham.tar.gz', 'parts/vgmidi.tar.gz']);
  });

  it('puts channel-10 drums on the drum kit', async () => {
    const [groove] = await fixtureMidi('parts/groove.tar.gz', 1);
    const score = readMidi(groove.bytes);
    expect(score.tracks.map(instrumentOf)).toEqual([DRUMS]);
  });

  it('gives 120 BPM to a file without a tempo event and keeps a written one', async () => {
    const [file] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const score = readMidi(file.bytes);
    const written = writeMidi({ ...score, tempos: [] });
    expect(readMidi(written).tempos).toEqual([{ tick: 0, bpm: 120 }]);
    expect(readMidi(writeMidi({ ...score, tempos: [{ tick: 0, bpm: 90 }] })).tempos).toEqual([{ tick: 0, bpm: 90 }]);
  });

  it('writes a score that reads back to the same score', async () => {
    const [file] = await fixtureMidi('multitrack/freedoom.tar.gz', 1);
    const score = readMidi(file.bytes);
    const again = readMidi(writeMidi(score));
    expect(again.tempos).toEqual(score.tempos);
    expect(again.timeSignatures).toEqual(score.timeSignatures);
    expect(again.tracks.map((t) => [instrumentOf(t), t.notes])).toEqual(score.tracks.map((t) => [instrumentOf(t), t.notes]));
  });
});

describe('readMidi on broken input', () => {
  it('names the reason for empty, foreign and cut files', async () => {
    expect(readError(new Uint8Array()).reason).toBe('empty-file');
    expect(readError(new TextEncoder().encode('this is not a MIDI file at all')).reason).toBe('not-midi');
    const [file] = await fixtureMidi('multitrack/freedoom.tar.gz', 1);
    expect(readError(file.bytes.subarray(0, 10)).reason).toBe('bad-header');
    // A header with no track chunk after it.
    expect(readError(file.bytes.subarray(0, 14)).reason).toBe('corrupt');
  });

  it('reads a file with garbage after the last chunk as if it were not there', async () => {
    const [, file] = await fixtureMidi('multitrack/freedoom.tar.gz', 2);
    const garbage = new Uint8Array(file.bytes.length + 300);
    garbage.set(file.bytes);
    for (let i = file.bytes.length; i < garbage.length; i++) garbage[i] = (i * 37) & 0xff;
    expect(readMidi(garbage)).toEqual(readMidi(file.bytes));
  });

  it('never throws anything but a MidiReadError on truncated files', async () => {
    const files = await fixtureMidi('multitrack/freedoom.tar.gz', 5);
    let errors = 0;
    for (const file of files) {
      for (const fraction of [0.3, 0.6, 0.9]) {
        try {
          const score = readMidi(file.bytes.subarray(0, Math.floor(file.bytes.length * fraction)));
          expect(noteCount(score)).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(MidiReadError);
          errors += 1;
        }
      }
    }
    expect(errors).toBeLessThan(15);
  });

  it('reports a file with no notes instead of returning an empty score', async () => {
    const [file] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const score = readMidi(file.bytes);
    const empty = writeMidi({ ...score, tracks: [] });
    expect(readError(empty).reason).toBe('no-notes');
  });

  it('merges many tracks of one instrument and survives zero-length and overlapping notes', async () => {
    const [file] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const score = readMidi(file.bytes);
    const melody = score.tracks[0];
    const doubled = {
      ...score,
      tracks: [
        melody,
        { ...melody, notes: melody.notes.map((n) => ({ ...n, velocity: 10 })) },
        { ...melody, notes: [{ onset: 0, duration: 2, pitch: 30, velocity: 50 }, { onset: 0, duration: 2, pitch: 30, velocity: 60 }] },
      ],
    };
    const again = readMidi(writeMidi(doubled));
    expect(again.tracks).toHaveLength(score.tracks.length);
    expect(again.tracks[0].notes.filter((n) => n.pitch === 30)).toHaveLength(1);
    expect(checkRoundTrip(again).ok).toBe(true);
  });
});
