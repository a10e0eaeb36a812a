/**
 * The real `motif render`, `analyze` and `tokens` on the hostile MIDI corpus (tests/fixtures/hostile-midi, built by
 * make.ts there): each must exit on its own within a bounded time, with a result or with one plain line, and never
 * with a stack trace. A render that leaves a worker thread holding the process open fails here by timing out.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CORPUS = path.join(import.meta.dirname, 'fixtures', 'hostile-midi');
const FILES = readdirSync(CORPUS).filter((name) => name.endsWith('.mid')).sort();
/** Generous for a loaded machine; a command that hangs (as render did, held open by an idle thread) never ends. */
const COMMAND_TIMEOUT_MS = 120_000;

interface Outcome {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
}

function motif(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/motif.js', ...args], { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({ code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, killed: failure?.killed ?? false, stdout, stderr });
    });
  });
}

/** Each file with each command: ok (exit 0, output, stderr only notes) or refused (exit 1, one plain line). */
function checkOutcome(what: string, outcome: Outcome): void {
  expect(outcome.killed, `${what} did not exit`).toBe(false);
  const lines = outcome.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(outcome.stderr, `${what} printed a stack trace`).not.toMatch(/^\s+at |Error:|node:internal/m);
  if (outcome.code === 0) {
    expect(outcome.stdout.trim(), `${what} succeeded without output`).not.toBe('');
    for (const line of lines) expect(line, what).toMatch(/^motif \w+: note: /);
  } else {
    expect(outcome.code, `${what}: ${outcome.stderr}`).toBe(1);
    expect(lines, what).toHaveLength(1);
    expect(lines[0], what).toMatch(/^motif \w+: /);
  }
}

describe('the CLI on hostile MIDI files', () => {
  it('has a corpus to run', () => {
    expect(FILES).toEqual(expect.arrayContaining(['huge-delta.mid', 'ten-hour-note.mid', 'type-2.mid', 'zero-tempo.mid', '128-tracks.mid']));
  });

  it.each(FILES)('analyze and tokens exit with a result or one plain line: %s', async (name) => {
    const file = path.join(CORPUS, name);
    for (const command of ['analyze', 'tokens']) checkOutcome(`${command} ${name}`, await motif([command, file]));
  }, 2 * COMMAND_TIMEOUT_MS);

  // The smallest bundled font loads fastest, and the font is not what is under test.
  it.each(FILES)('render exits with files or one plain line: %s', async (name) => {
    const out = mkdtempSync(path.join(tmpdir(), 'motif-hostile-'));
    const outcome = await motif(['render', path.join(CORPUS, name), '--out', out, '--soundfont', 'timgm6mb']);
    checkOutcome(`render ${name}`, outcome);
    if (outcome.code === 0) expect(readdirSync(out).sort(), name).toEqual([`${name.replace(/\.mid$/, '')}.mid`, `${name.replace(/\.mid$/, '')}.ogg`, `${name.replace(/\.mid$/, '')}.png`]);
  }, COMMAND_TIMEOUT_MS + 10_000);

  it('says what it left out of a file that runs for days, and refuses to render one hours long', async () => {
    const far = await motif(['tokens', path.join(CORPUS, 'many-huge-deltas.mid')]);
    expect(far.code).toBe(0);
    expect(far.stderr).toMatch(/^motif tokens: note: the file runs to quarter note \d+; only the first \d+ quarter notes are read \(50 later notes left out\)$/m);
    const late = await motif(['render', path.join(CORPUS, 'late-note.mid'), '--out', mkdtempSync(path.join(tmpdir(), 'motif-hostile-'))]);
    expect(late.code).toBe(1);
    expect(late.stderr.trim()).toMatch(/^motif render: the piece is [\d.]+ hours long: Motif renders at most \d+ minutes$/);
  }, 2 * COMMAND_TIMEOUT_MS);
});
