/** readMidi takes a Node Buffer (what readFileSync and a download give) as well as a plain Uint8Array. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';

describe('readMidi on a Buffer', () => {
  it('reads the same score as from a copy, and leaves the bytes as they were', () => {
    const buffer = readFileSync('tests/fixtures/freedoom-d_map16.mid');
    const before = Buffer.from(buffer);
    const fromCopy = readMidi(new Uint8Array(buffer));
    expect(readMidi(buffer)).toEqual(fromCopy);
    expect(buffer.equals(before)).toBe(true);
  });
});
