/**
 * `motif continue`, `motif vary` and `motif extend` on a real MIDI file, run as the user runs them (a child process,
 * the real model, the real renderer), checked on the .mid they write.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readMidi, writeMidi } from '../src/music/midi.ts';
import { barsOf, instrumentOf, tempoAt, type Score } from '../src/music/score.ts';
import { encodeScore } from '../src/tokens/tokenizer.ts';
import { headerLength } from '../src/tokens/tokenizer.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

const run = promisify(execFile);
const FIXTURE = 'tests/fixtures/freedoom-d_map16.mid';
/** The fixture's length in bars (motif tokens says 40) and its only tempo and meter. */
const FIXTURE_BARS = 40;
const FLUTE = 73;

function motif(args: string[]) {
  return run(process.execPath, ['bin/motif.js', ...args], { env: { ...process.env, MOTIF_MODEL_DIR: MODEL_DIR }, timeout: 180_000 });
}

async function failure(args: string[]): Promise<{ code: number; lines: string[] }> {
  const error = await motif(args).then(() => undefined, (caught) => caught);
  expect(error, `${args.join(' ')} should fail`).toBeDefined();
  return { code: error.code, lines: error.stderr.trim().split('\n') };
}

/** The body tokens of the first `bars` bars, key left out: equal bodies mean the same notes on the grid, bar by bar. */
function firstBars(score: Score, bars: number): number[] {
  const ids = encodeScore(score, { bars, key: null });
  return ids.slice(headerLength(ids));
}

/** Tick where bar `index` (0-based) starts. */
function barStart(score: Score, index: number): number {
  return barsOf(score, 0, index + 1)[index].start;
}

function onsetsFrom(score: Score, tick: number, instrument?: number): number {
  return score.tracks
    .filter((track) => instrument === undefined || instrumentOf(track) === instrument)
    .reduce((sum, track) => sum + track.notes.filter((note) => note.onset >= tick).length, 0);
}

describe.skipIf(withoutModel())('motif continue, vary and extend on a MIDI file', () => {
  const input = readMidi(readFileSync(FIXTURE));

  it('the fixture is what these tests assume: 40 bars of 4/4 at 90 BPM', () => {
    expect(barsOf(input, Math.max(...input.tracks.flatMap((t) => t.notes.map((n) => n.onset)))).length).toBe(FIXTURE_BARS);
    expect(input.tempos).toEqual([{ tick: 0, bpm: 90 }]);
    expect(input.timeSignatures.map((ts) => [ts.numerator, ts.denominator])).toEqual([[4, 4]]);
  });

  it('continue: the sent bars come back unchanged, then new bars in the same meter and tempo, past the model\'s context', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-continue-'));
    const { stdout } = await motif(['continue', FIXTURE, '--bars', '4', '--seed', '5', '--out', out, '--json']);
    const result = JSON.parse(stdout);
    expect(result.continuation).toMatchObject({ parentBars: FIXTURE_BARS, newBars: 4, startBar: FIXTURE_BARS + 1, applied: [] });
    // 40 bars of this tune are about 3,400 tokens, more than the smoke model's 1,024: the window had to move.
    expect(result.continuation.windows).toBeGreaterThanOrEqual(1);
    expect(result.attributes).toMatchObject({ bars: FIXTURE_BARS + 4, bpm: 90, timeSignature: '4/4' });
    expect(readFileSync(result.files.ogg).subarray(0, 4).toString()).toBe('OggS');
    expect(readFileSync(result.files.png).subarray(1, 4).toString()).toBe('PNG');

    const output = readMidi(readFileSync(result.files.mid));
    expect(firstBars(output, FIXTURE_BARS)).toEqual(firstBars(input, FIXTURE_BARS));
    const start = barStart(output, FIXTURE_BARS);
    expect(result.continuation.startSeconds).toBeCloseTo((start / 12) * (60 / 90), 2);
    expect(onsetsFrom(output, start)).toBeGreaterThan(0);
    expect(output.timeSignatures.map((ts) => [ts.numerator, ts.denominator])).toEqual([[4, 4]]);
    expect(output.tempos).toEqual([{ tick: 0, bpm: 90 }]);
  });

  it('continue with a prompt: the new part takes the asked tempo and instrument, the sent bars stay as they were', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-continue-'));
    const { stdout } = await motif(['continue', FIXTURE, 'slower, with a flute', '--bars', '4', '--seed', '5', '--out', out, '--json']);
    const result = JSON.parse(stdout);
    expect(result.continuation.applied).toEqual(['tempo 90 -> 75 BPM', 'add flute']);
    const output = readMidi(readFileSync(result.files.mid));
    expect(firstBars(output, FIXTURE_BARS)).toEqual(firstBars(input, FIXTURE_BARS));
    const start = barStart(output, FIXTURE_BARS);
    expect(tempoAt(output, start - 1)).toBe(90);
    expect(output.tempos.filter((tempo) => tempo.tick >= start)).toEqual([{ tick: start, bpm: 75 }]);
    expect(onsetsFrom(output, start, FLUTE)).toBeGreaterThan(0);
    expect(onsetsFrom(output, 0, FLUTE)).toBe(onsetsFrom(output, start, FLUTE));
  });

  it('vary "faster" raises the tempo and keeps the opening bars', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-vary-'));
    const { stdout } = await motif(['vary', FIXTURE, 'faster', '--seed', '5', '--out', out, '--json']);
    const result = JSON.parse(stdout);
    expect(result.instruction).toBe('faster');
    expect(result.checks).toEqual([expect.objectContaining({ aspect: 'tempo', holds: true })]);
    const output = readMidi(readFileSync(result.files.mid));
    expect(output.tempos[0].bpm).toBeGreaterThan(90);
    expect(result.attributes.bpm).toBe(output.tempos[0].bpm);
    // A tempo change alone moves no note: the kept bars are the file's own.
    expect(result.keptBars).toBeGreaterThan(0);
    expect(firstBars(output, result.keptBars)).toEqual(firstBars(input, result.keptBars));
  });

  it('extend adds the asked bars after the file\'s own', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-extend-'));
    const { stdout } = await motif(['extend', FIXTURE, '--bars', '2', '--seed', '5', '--out', out, '--json']);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ parentBars: FIXTURE_BARS, addedBars: 2, attributes: { bars: FIXTURE_BARS + 2 } });
    const output = readMidi(readFileSync(result.files.mid));
    expect(firstBars(output, FIXTURE_BARS)).toEqual(firstBars(input, FIXTURE_BARS));
    expect(onsetsFrom(output, barStart(output, FIXTURE_BARS))).toBeGreaterThan(0);
  });

  it('a file that is not MIDI, an empty one, one with no notes and one too long each get one line and exit 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'motif-bad-'));
    const png = path.join(dir, 'picture.mid');
    writeFileSync(png, PNG.sync.write(new PNG({ width: 4, height: 4 })));
    const empty = path.join(dir, 'empty.mid');
    writeFileSync(empty, '');
    const silent = path.join(dir, 'silent.mid');
    writeFileSync(silent, writeMidi({ tempos: [{ tick: 0, bpm: 100 }], timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }], tracks: [] }));

    expect(await failure(['continue', png])).toEqual({ code: 1, lines: ['motif continue: cannot read MIDI (not-midi): no MThd header chunk'] });
    expect(await failure(['vary', png, 'faster'])).toEqual({ code: 1, lines: ['motif vary: cannot read MIDI (not-midi): no MThd header chunk'] });
    expect(await failure(['extend', empty])).toEqual({ code: 1, lines: ['motif extend: cannot read MIDI (empty-file): the file is empty'] });
    expect(await failure(['continue', silent])).toEqual({ code: 1, lines: ['motif continue: cannot read MIDI (no-notes): the file has no notes'] });
    // One note 15,000 bars in: readable, but far past the longest piece Motif writes.
    expect(await failure(['continue', 'tests/fixtures/hostile-midi/late-note.mid'])).toEqual({
      code: 1, lines: ['motif continue: The piece is too long to continue: it has 15002 bars, and Motif continues pieces of up to 63 bars.'],
    });
  });
});
