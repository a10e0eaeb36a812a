import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';
import { barsOf, scoreEndTick } from '../src/music/score.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

const run = promisify(execFile);

function motif(args: string[]) {
  return run(process.execPath, ['bin/motif.js', ...args], { env: { ...process.env, MOTIF_MODEL_DIR: MODEL_DIR }, timeout: 180_000 });
}

describe.skipIf(withoutModel())('npx motif compose', () => {
  it('writes .mid, .ogg and .png and describes them as one JSON object', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-compose-'));
    const { stdout } = await motif(['compose', 'lo-fi beat 90bpm', '--seed', '7', '--bars', '4', '--out', out, '--json']);
    const result = JSON.parse(stdout);
    expect(result.attributes).toMatchObject({ bpm: 90, timeSignature: expect.any(String), bars: 4, drums: expect.any(Boolean) });
    expect(Object.keys(result.timings)).toEqual(expect.arrayContaining(['composeMs', 'renderMs', 'encodeMs', 'totalMs']));
    expect(result.seed).toBe(7);
    expect(result.modelId).toMatch(/^motif-/);
    // "lo-fi" names no instruments: the attribute stage chose them, and says so.
    expect(result.attributes.instruments).toEqual(['electric piano 1', 'electric bass (finger)']);
    expect(result.inferred).toContainEqual({ attribute: 'instruments', value: 'electric piano 1, electric bass (finger)', from: ['lo-fi'] });
    // A lo-fi loop of 4 bars: a 2-bar loop with an intro where parts rest, then the loop the model wrote.
    expect(result.form.sections.map((section: { name: string; firstBar: number; made: string }) => [section.name, section.firstBar])).toEqual([['intro', 1], ['loop', 3]]);
    expect(result.form.sections[1].made).toBe('written');

    const score = readMidi(readFileSync(result.files.mid));
    expect(score.tempos).toEqual([{ tick: 0, bpm: 90 }]);
    expect(barsOf(score, scoreEndTick(score)).length).toBeLessThanOrEqual(5);
    const ogg = readFileSync(result.files.ogg);
    expect(ogg.subarray(0, 4).toString()).toBe('OggS');
    expect(statSync(result.files.ogg).size).toBeLessThan(10 * 1024 * 1024);
    const png = PNG.sync.read(readFileSync(result.files.png));
    expect([png.width, png.height]).toEqual([1200, 600]);
    expect(path.basename(result.files.ogg)).toBe('lo-fi-beat-90bpm-7.ogg');
  });

  it('refuses an impossible prompt with one plain line and a non-zero exit', async () => {
    const failure = await motif(['compose', '9000 bpm techno']).then(() => undefined, (error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toEqual(['motif compose: The tempo "9000 bpm" is out of range: use 20 to 299 BPM.']);
  });

  it('says plainly when the model is not there', async () => {
    const missing = path.join(tmpdir(), 'motif-no-model');
    const failure = await run(process.execPath, ['bin/motif.js', 'compose', 'lo-fi beat'], { env: { ...process.env, MOTIF_MODEL_DIR: missing } })
      .then(() => undefined, (error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toEqual([`motif compose: cannot load the model: manifest.json is missing: ${path.join(missing, 'manifest.json')}`]);
  });
});
