/**
 * `motif restyle` on a real MIDI file (8 bars of the fixture), run as the user runs it: the kept part comes back
 * note for note on the grid, the other parts are the ones the prompt asked for, and the bars are the file's. A file
 * with nothing to keep gets one plain line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readMidi, writeMidi } from '../src/music/midi.ts';
import { instrumentOf, type Note, type Score } from '../src/music/score.ts';
import { decodeScore, encodeScore } from '../src/tokens/tokenizer.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

const run = promisify(execFile);
const FIXTURE = 'tests/fixtures/freedoom-d_map16.mid';
/** Bars 9-16 of the fixture (0-based 8-15): GM 28, GM 29 (overdriven guitar), string chords and drums play there. */
const FIRST_BAR = 8;
const BARS = 8;
/** 4/4 at 12 ticks per quarter. */
const BAR_TICKS = 48;
/** The melody of those bars, which the analysis finds: the overdriven guitar (GM 29), the highest busy single line. */
const MELODY = 29;
const PIANO = 0;
const FINGER_BASS = 33;
/** Track 2 of the fixture: string ensemble 1, chords. */
const STRINGS = 48;

function motif(args: string[]) {
  return run(process.execPath, ['bin/motif.js', ...args], { env: { ...process.env, MOTIF_MODEL_DIR: MODEL_DIR }, timeout: 300_000 });
}

/** `bars` bars of a score from bar `first` (0-based) on, moved to the start, notes cut at the end. */
function barsFrom(score: Score, first: number, bars: number): Score {
  const start = first * BAR_TICKS;
  const end = start + bars * BAR_TICKS;
  return {
    ...score,
    tracks: score.tracks.map((track) => ({
      ...track,
      notes: track.notes.filter((note) => note.onset >= start && note.onset < end)
        .map((note) => ({ ...note, onset: note.onset - start, duration: Math.min(note.duration, end - note.onset) })),
    })),
  };
}

/** Notes of one instrument as "onset pitch duration", sorted: equal lists mean the same notes on the grid. */
function notesOf(score: Score, instrument: number): string[] {
  const notes: Note[] = score.tracks.filter((track) => instrumentOf(track) === instrument).flatMap((track) => track.notes);
  return notes.map((note) => `${note.onset} ${note.pitch} ${note.duration}`).sort();
}

describe.skipIf(withoutModel())('motif restyle on a MIDI file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'motif-restyle-'));
  const input = barsFrom(readMidi(readFileSync(FIXTURE)), FIRST_BAR, BARS);
  const file = path.join(dir, 'sketch.mid');
  writeFileSync(file, writeMidi(input));

  it('keeps the melody note for note and writes the band the prompt asks for around it', async () => {
    const { stdout } = await motif(['restyle', file, 'bossa nova with piano and bass', '--seed', '3', '--json', '--out', dir, '--finish', 'none']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.kept).toMatchObject({ index: 1, name: 'overdriven guitar', instrument: MELODY, transposed: 0 });
    const output = readMidi(readFileSync(result.files.mid));

    // The melody as the tokenizer puts it on the grid: that and nothing else is what the take must play for it.
    const melodyAlone: Score = { ...input, tracks: input.tracks.filter((track) => instrumentOf(track) === MELODY) };
    const expected = notesOf(decodeScore(encodeScore(melodyAlone, { bars: BARS })), MELODY);
    expect(expected.length).toBeGreaterThan(20);
    expect(notesOf(output, MELODY)).toEqual(expected);

    // The rest is new: the prompt's piano and bass (neither is in the file) play, and none of the file's other parts.
    const instruments = new Set(output.tracks.filter((track) => track.notes.length > 0).map(instrumentOf));
    expect(instruments.has(PIANO) && instruments.has(FINGER_BASS)).toBe(true);
    const others = input.tracks.filter((track) => track.notes.length > 0 && !track.isDrum && instrumentOf(track) !== MELODY).map(instrumentOf);
    expect(others).toEqual([28, STRINGS]);
    for (const id of others) expect(instruments.has(id)).toBe(false);

    // The file's bars and meter; the tempo from the genre (bossa nova: 110-140 BPM), not the file's 90.
    expect(result.attributes.bars).toBe(BARS);
    expect(result.attributes.timeSignature).toBe('4/4');
    const lastOnset = Math.max(...output.tracks.flatMap((track) => track.notes.map((note) => note.onset)));
    expect(lastOnset).toBeGreaterThanOrEqual((BARS - 1) * BAR_TICKS);
    expect(lastOnset).toBeLessThan(BARS * BAR_TICKS);
    expect(output.timeSignatures.map((ts) => [ts.numerator, ts.denominator])).toEqual([[4, 4]]);
    expect(output.tempos[0].bpm).toBeGreaterThanOrEqual(110);
    expect(output.tempos[0].bpm).toBeLessThanOrEqual(140);
  });

  it('--keep names the string chords, and a key the prompt asks for moves them by the interval (G major -> A major: up 2)', async () => {
    const { stdout } = await motif(['restyle', file, 'for piano in A major', '--keep', 'strings', '--seed', '5', '--json', '--out', dir, '--finish', 'none']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.kept).toMatchObject({ index: 2, instrument: STRINGS, transposed: 2 });
    expect(result.attributes.key).toBe('A major');
    const output = readMidi(readFileSync(result.files.mid));
    const chords = input.tracks[2];
    const moved: Score = { ...input, tracks: [{ ...chords, notes: chords.notes.map((note) => ({ ...note, pitch: note.pitch + 2 })) }] };
    const expected = notesOf(decodeScore(encodeScore(moved, { bars: BARS })), STRINGS);
    expect(expected.length).toBeGreaterThan(20);
    expect(notesOf(output, STRINGS)).toEqual(expected);
  });

  it('a file of drums alone has nothing to keep: one plain line, before the model loads', async () => {
    const drums = path.join(dir, 'drums.mid');
    writeFileSync(drums, writeMidi({ ...input, tracks: input.tracks.filter((track) => track.isDrum) }));
    const error = await motif(['restyle', drums, 'jazz']).then(() => undefined, (caught) => caught);
    expect(error?.code).toBe(1);
    expect(error.stderr.trim()).toBe('motif restyle: The file has no melody to keep: none of its parts plays pitched notes.');
  });
});
