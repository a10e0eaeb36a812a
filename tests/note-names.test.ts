import { describe, expect, it } from 'vitest';
import { keyName, letterPitchClass, modeOf, parsePitchName, pitchClassName } from '../src/music/keys.ts';

describe('note names', () => {
  it('reads a letter in either case with any run of sharps and flats, wrapping round the octave', () => {
    expect(letterPitchClass('c')).toBe(0);
    expect(letterPitchClass('B', '#')).toBe(0);
    expect(letterPitchClass('C', 'b')).toBe(11);
    expect(letterPitchClass('e', 'bb')).toBe(2);
    expect(letterPitchClass('H')).toBeUndefined();
    expect(parsePitchName(' F# ')).toBe(6);
    expect(parsePitchName('Ebb')).toBe(2);
    expect(parsePitchName('F#m')).toBeUndefined();
    expect(parsePitchName('')).toBeUndefined();
  });

  it('spells chord roots and major tonics with flats but F#, and minor tonics by their key signature', () => {
    expect(Array.from({ length: 12 }, (_, pc) => pitchClassName(pc)).join(' ')).toBe('C Db D Eb E F F# G Ab A Bb B');
    expect(keyName({ tonic: 1, mode: 'major' })).toBe('Db major');
    expect(keyName({ tonic: 1, mode: 'minor' })).toBe('C# minor');
    expect(keyName({ tonic: 8, mode: 'minor' })).toBe('G# minor');
    for (let pc = 0; pc < 12; pc++) expect(parsePitchName(pitchClassName(pc))).toBe(pc);
  });

  it('folds church modes into major and minor by their third', () => {
    expect(['', 'maj', 'Major', 'ionian', 'lydian', 'mix'].map(modeOf)).toEqual(Array(6).fill('major'));
    expect(['m', 'min', 'minor', 'dorian', 'phrygian', 'aeolian', 'loc'].map(modeOf)).toEqual(Array(7).fill('minor'));
    expect(modeOf('blues')).toBeUndefined();
  });
});
