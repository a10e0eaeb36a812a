import { describe, expect, it } from 'vitest';
import { parseChangeInstruction, type VariationChange } from '../src/text/change-instructions.ts';

function change(instruction: string): VariationChange {
  const read = parseChangeInstruction(instruction);
  if (!read.ok) throw new Error(`refused: ${read.error}`);
  return read.change;
}

describe('the change-instruction parser', () => {
  it('refuses an impossible value with the prompt parser\'s sentence, and never throws', () => {
    const read = parseChangeInstruction('at 500 bpm');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(/tempo "500 bpm" is out of range/);
  });

  it('reads a transposition counted in digits or words', () => {
    expect(change('up 2 semitones').transpose).toBe(2);
    expect(change('up three half steps').transpose).toBe(3);
    expect(change('lower by twelve semitones').transpose).toBe(-12);
    expect(change('down a whole step').transpose).toBe(-2);
    expect(change('up an octave').transpose).toBe(12);
  });

  it('reads the longest phrase, so a jazz guitar is one instrument and a beat is rhythm unless asked for', () => {
    expect(change('add a jazz guitar').add).toEqual([26]);
    expect(change('add a guitar').add).toEqual([25]);
    expect(change('in a rock style with guitar').add).toEqual([29]);
    expect(change('a faster beat').drums).toBeUndefined();
    expect(change('add a beat').drums).toBe(true);
    expect(change('no drums').drums).toBe(false);
  });

  it('says what it understood', () => {
    expect(change('faster, in D minor, add strings').understood).toEqual(['tempo x1.20', 'key D minor', 'add string ensemble 1']);
  });
});
