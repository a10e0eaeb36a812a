/**
 * `motif restyle` on a real MIDI file (the fixture's first 8 bars), run as the user runs it: the kept part comes back
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
const BARS = 8;
/** 4/4 at 12 ticks per quarter. */
const BAR_TICKS = 48;
/** The melody of the fixture's first 8 bars: track 0, "Track 2", GM 28 (electric guitar, muted); the analysis finds it. */
const MELODY = 28;
const PIANO = 0;
const FINGER_BASS = 33;

function motif(args: string[]) {
  return run(process.execPath, ['bin/motif.js', ...args], { env: { ...process.env, MOTIF_MODEL_DIR: MODEL_DIR }, timeout: 300_000 });
}

/** The first `bars` bars of a score, notes cut at the end. */
function firstBars(score: Score, bars: number): Score {
  const end = bars * BAR_TICKS;
  return {
    ...score,
    tracks: score.tracks.map((track) => ({
      ...track,
      notes: track.notes.filter((note) => note.onset < end).map((note) => ({ ...note, duration: Math.min(note.duration, end - note.onset) })),
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
  const input = firstBars(readMidi(readFileSync(FIXTURE)), BARS);
  const file = path.join(dir, 'sketch.mid');
  writeFileSync(file, writeMidi(input));

  it('keeps the melody note for note and writes the band the prompt asks for around it', async () => {
    const { stdout } = await motif(['restyle', file, 'bossa nova with piano and bass', '--seed', '3', '--json', '--out', dir, '--finish', 'none']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.kept).toMatchObject({ index: 0, instrument: MELODY, transposed: 0 });
    const output = readMidi(readFileSync(result.files.mid));

    // The melody as the tokenizer puts it on the grid: that and nothing else is what the take must play for it.
    const melodyAlone: Score = { ...input, tracks: [input.tracks[0]] };
    const expected = notesOf(decodeScore(encodeScore(melodyAlone, { bars: BARS })), MELODY);
    expect(expected.length).toBeGreaterThan(20);
    expect(notesOf(output, MELODY)).toEqual(expected);

    // The rest is new: the prompt's piano and bass (neither is in the file) play, and none of the file's other parts.
    const instruments = new Set(output.tracks.filter((track) => track.notes.length > 0).map(instrumentOf));
    expect(instruments.has(PIANO) && instruments.has(FINGER_BASS)).toBe(true);
    for (const id of input.tracks.slice(1).map(instrumentOf).filter((id) => id !== 128)) expect(instruments.has(id)).toBe(false);

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

  it('a file of drums alone has nothing to keep: one plain line, before the model loads', async () => {
    const drums = path.join(dir, 'drums.mid');
    writeFileSync(drums, writeMidi({ ...input, tracks: input.tracks.filter((track) => track.isDrum) }));
    const error = await motif(['restyle', drums, 'jazz']).then(() => undefined, (caught) => caught);
    expect(error?.code).toBe(1);
    expect(error.stderr.trim()).toBe('motif restyle: The file has no melody to keep: none of its parts plays pitched notes.');
  });
});
