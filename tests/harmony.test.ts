import { describe, expect, it } from 'vitest';
import { bassFigure, compFigure } from '../src/dataset/arranging/accompaniment-patterns.ts';
import { cleanNotes, durationAtMost, finishScore, gridProblem, monophonic } from '../src/dataset/arranging/arrangement.ts';
import { BASS_RANGE, patternedBass, walkingBass } from '../src/dataset/arranging/bass-line.ts';
import { writeComping } from '../src/dataset/arranging/comping.ts';
import { TD11_TO_GM, td11ToGeneralMidi } from '../src/music/drum-kits.ts';
import { DURATION_BINS } from '../src/music/grid.ts';
import {
  chordAt, parseChordSymbol, parseRomanNumeral, pitchClassesOf, qualityOf, type Chord, type HarmonySpan,
} from '../src/dataset/arranging/harmony.ts';
import { GM_DRUM_NAMES } from '../src/music/instruments.ts';
import { createRandom } from '../src/music/random.ts';
import { barsOf } from '../src/music/score.ts';
import { voiceChord, voicingPitchClasses, type VoicingOptions } from '../src/dataset/arranging/voicing.ts';

const chord = (symbol: string): Chord => {
  const parsed = parseChordSymbol(symbol);
  if (!parsed) throw new Error(`could not parse ${symbol}`);
  return parsed;
};

describe('chord symbols', () => {
  it.each([
    ['C', 0, [0, 4, 7]],
    ['Cm7b5', 0, [0, 3, 6, 10]],
    ['F#7#9', 6, [0, 4, 7, 10, 15]],
    ['Eb07', 3, [0, 3, 6, 9]],
    ['B0', 11, [0, 3, 6]],
    ['Abmaj7#11', 8, [0, 4, 7, 11, 18]],
    ['Dm/maj7', 2, [0, 3, 7, 11]],
    ['G7alt', 7, [0, 4, 10, 13, 15, 20]],
    ['E13b9', 4, [0, 4, 7, 10, 13, 21]],
    ['Bb7sus', 10, [0, 5, 7, 10]],
    ['D9sus', 2, [0, 5, 7, 10, 14]],
    ['Am11', 9, [0, 3, 7, 10, 14, 17]],
    ['F69', 5, [0, 4, 7, 9, 14]],
    ['Gmb6', 7, [0, 3, 7, 20]],
    ['Caug', 0, [0, 4, 8]],
    ['Db7b9b13', 1, [0, 4, 7, 10, 13, 20]],
    ['Cmaj', 0, [0, 4, 7, 11]],
  ])('%s', (symbol, root, intervals) => {
    const parsed = chord(symbol);
    expect(parsed.root).toBe(root);
    expect(parsed.bass).toBe(root);
    expect(parsed.intervals).toEqual(intervals);
  });

  it('reads slash chords, leaving m/maj7 alone', () => {
    expect(chord('Bb6/D')).toMatchObject({ root: 10, bass: 2, intervals: [0, 4, 7, 9] });
    expect(chord('Am/maj7/G#')).toMatchObject({ root: 9, bass: 8, intervals: [0, 3, 7, 11] });
  });

  it('refuses what it does not understand', () => {
    for (const symbol of ['H7', 'Cxyz', 'C7/X', '', 'm7']) expect(parseChordSymbol(symbol)).toBeUndefined();
  });

  it('names qualities as the chord detector does', () => {
    expect(qualityOf(chord('Cm7b5'))).toBe('hdim7');
    expect(qualityOf(chord('C07'))).toBe('dim7');
    expect(qualityOf(chord('C13'))).toBe('dom7');
    expect(qualityOf(chord('Cmaj9'))).toBe('maj7');
    expect(qualityOf(chord('Cm9'))).toBe('min7');
    expect(qualityOf(chord('Csus'))).toBe('sus4');
  });
});

describe('roman numerals (free-midi-chords through mingus)', () => {
  const classes = (token: string, tonic: number, mode: 'major' | 'minor') => {
    const parsed = parseRomanNumeral(token, tonic, mode);
    if (!parsed) throw new Error(`could not parse ${token}`);
    return pitchClassesOf(parsed);
  };
  it('takes the scale\'s own triads and sevenths, ignoring case', () => {
    expect(classes('I', 0, 'major')).toEqual([0, 4, 7]);
    expect(classes('vi', 0, 'major')).toEqual([0, 4, 9]);
    expect(classes('VI', 0, 'major')).toEqual([0, 4, 9]);
    expect(classes('I7', 0, 'major')).toEqual([0, 4, 7, 11]);
    expect(classes('V7', 0, 'major')).toEqual([2, 5, 7, 11]);
    expect(classes('ii', 9, 'minor')).toEqual([2, 5, 11]); // B diminished in A minor
    expect(classes('V', 9, 'minor')).toEqual([4, 7, 11]); // natural minor: E minor
    expect(classes('III7', 9, 'minor')).toEqual([0, 4, 7, 11]); // Cmaj7
  });
  it('applies suffixes to the degree\'s root and accidentals to the whole chord', () => {
    expect(classes('bVIIM', 0, 'major')).toEqual([2, 5, 10]);
    expect(classes('ivm9', 0, 'major')).toEqual([0, 3, 5, 7, 8]);
    expect(classes('Idom7', 0, 'major')).toEqual([0, 4, 7, 10]);
    expect(classes('IM-5', 10, 'major')).toEqual([2, 4, 10]); // Bb D Fb
    expect(classes('#IVdim', 0, 'major')).toEqual([0, 6, 9]);
    expect(classes('bi', 0, 'major')).toEqual([3, 6, 11]); // B major, spelt Cb
    expect(classes('I5', 0, 'major')).toEqual([0, 7]);
    // "add9" names a major chord whatever the numeral's case, as the source's renderer plays it: A C# E B.
    expect(classes('viadd9', 0, 'major')).toEqual([1, 4, 9, 11]);
  });
  it('refuses unknown numerals and suffixes', () => {
    expect(parseRomanNumeral('VIII', 0, 'major')).toBeUndefined();
    expect(parseRomanNumeral('Ixyz', 0, 'major')).toBeUndefined();
    expect(parseRomanNumeral('C', 0, 'major')).toBeUndefined();
  });
});

const PIANO: VoicingOptions = { low: 48, high: 74, voices: 4, rootless: true, center: 60, maxSpan: 14 };

describe('voicing', () => {
  it('voices a dominant rootless with its guide tones and colour', () => {
    const voicing = voiceChord(chord('G7'), undefined, PIANO);
    const pcs = voicing.map((p) => p % 12);
    expect(pcs).not.toContain(7);
    expect(pcs).toContain(11); // third
    expect(pcs).toContain(5); // seventh
    expect(voicing).toHaveLength(4);
    for (const pitch of voicing) expect(pitch).toBeGreaterThanOrEqual(48);
    expect(voicing[3] - voicing[0]).toBeLessThanOrEqual(14);
  });

  it('leads ii-V-I voices by small steps', () => {
    let previous: number[] | undefined;
    let movement = 0;
    for (const symbol of ['Dm7', 'G7', 'Cmaj7', 'A7', 'Dm7', 'G7', 'Cmaj7']) {
      const next = voiceChord(chord(symbol), previous, PIANO);
      if (previous) movement += next.reduce((sum, pitch, i) => sum + Math.abs(pitch - previous![i]), 0);
      previous = next;
    }
    // Six changes of four voices: a few semitones per voice per change at most.
    expect(movement / 6).toBeLessThanOrEqual(8);
  });

  it('keeps the root of triads and leaves out a tone a minor ninth above the bass', () => {
    expect(voicingPitchClasses(chord('C'), 4, true)).toEqual([0, 4, 7, 0]);
    expect(voicingPitchClasses(chord('Cmaj7/B'), 4, false)).not.toContain(0);
    expect(voicingPitchClasses(chord('E7b9'), 4, true)).toContain(5); // a dominant's written b9 stays
  });

  it('stays above the bass it is given', () => {
    const voicing = voiceChord(chord('Fmaj7'), undefined, PIANO, 53);
    expect(voicing[0]).toBeGreaterThan(53);
  });
});

function spansOf(symbols: string[], barTicks = 48): HarmonySpan[] {
  return symbols.map((symbol, i) => ({ start: i * barTicks, end: (i + 1) * barTicks, chord: chord(symbol) }));
}

describe('bass lines', () => {
  const spans = spansOf(['Dm7', 'G7', 'Cmaj7', 'A7b9', 'Dm7', 'G7', 'Cmaj7', 'Cmaj7']);
  const bars = barsOf({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }] }, 8 * 48);

  it('walks a quarter note a beat, the chord\'s bass on the downbeat, leading into each change', () => {
    const notes = walkingBass(spans, bars, { range: BASS_RANGE, velocity: 84, random: createRandom(7) });
    expect(notes).toHaveLength(32);
    notes.forEach((note, i) => {
      expect(note.onset).toBe(i * 12);
      expect(note.pitch).toBeGreaterThanOrEqual(28);
      expect(note.pitch).toBeLessThanOrEqual(55);
    });
    for (const span of spans) {
      const downbeat = notes.find((note) => note.onset === span.start)!;
      expect(downbeat.pitch % 12).toBe(span.chord.bass);
    }
    // The beat before a change of root leads into it: a half step, a fifth, or a near chord tone, never a leap.
    let chromaticOrFifth = 0;
    let changes = 0;
    for (let i = 1; i < spans.length; i++) {
      if (spans[i].chord.root === spans[i - 1].chord.root) continue;
      const before = notes.find((note) => note.onset === spans[i].start - 12)!;
      const target = notes.find((note) => note.onset === spans[i].start)!;
      const distance = Math.abs(before.pitch - target.pitch);
      expect(distance).toBeGreaterThanOrEqual(1);
      expect(distance).toBeLessThanOrEqual(7);
      changes += 1;
      if ([1, 5, 7].includes(distance)) chromaticOrFifth += 1;
    }
    expect(chromaticOrFifth / changes).toBeGreaterThanOrEqual(0.5);
  });

  it('plays a figure with tones from the chord in force and covers every change', () => {
    const halves = [...spansOf(['C', 'F']), { start: 96, end: 120, chord: chord('G') }, { start: 120, end: 144, chord: chord('F') }];
    const threeBars = barsOf({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }] }, 144);
    const notes = patternedBass(halves, threeBars, (bar) => bassFigure('sustain', bar, createRandom(1)), {
      range: BASS_RANGE, velocity: 80, random: createRandom(1), coverChanges: true,
    });
    expect(notes.map((note) => [note.onset, note.pitch % 12])).toEqual([[0, 0], [48, 5], [96, 7], [120, 5]]);
    expect(notes.map((note) => note.duration)).toEqual([48, 48, 24, 24]);
  });
});

describe('comping', () => {
  it('pushes the next bar\'s chord on the and of four and leaves its downbeat tied', () => {
    const spans = spansOf(['Dm7', 'G7']);
    const bars = barsOf({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }] }, 96);
    const figure = [{ at: 0, duration: 10, velocity: 70 }, { at: 44, duration: 12, velocity: 66, anticipate: true }];
    const notes = writeComping(spans, bars, () => figure, { voicing: PIANO, random: createRandom(2) });
    const onsets = [...new Set(notes.map((note) => note.onset))];
    // Bar 2's downbeat is tied over from the push; its own push has no next bar and plays G7 in place.
    expect(onsets).toEqual([0, 44, 92]);
    const pushed = notes.filter((note) => note.onset === 44).map((note) => note.pitch % 12);
    expect(pushed).toContain(11); // G7's third
    expect(pushed).toContain(5); // and seventh
  });

  it('writes figures on the grid in every meter it is asked for', () => {
    for (const [numerator, denominator] of [[4, 4], [3, 4], [5, 4], [6, 4], [2, 4]] as const) {
      const barTicks = (numerator * 48) / denominator;
      const spans = spansOf(['Cmaj7', 'Fmaj7', 'G7', 'Cmaj7'], barTicks);
      const timeSignatures = [{ tick: 0, numerator, denominator }];
      const bars = barsOf({ timeSignatures }, 4 * barTicks);
      for (const style of ['swing', 'waltz', 'bossa', 'funk', 'arpeggio', 'lofi'] as const) {
        const random = createRandom(3);
        const notes = writeComping(spans, bars, (bar) => compFigure(style, bar, random), { voicing: PIANO, random, coverChanges: 12 });
        const score = finishScore({ tempos: [{ tick: 0, bpm: 120 }], timeSignatures, tracks: [{ program: 0, isDrum: false, name: 'piano', notes }] }, 4 * barTicks);
        expect(gridProblem(score), `${style} in ${numerator}/${denominator}`).toBeUndefined();
      }
    }
  });
});

describe('arrangement helpers', () => {
  it('fits durations to bins and cleans overlaps', () => {
    expect(durationAtMost(40)).toBe(36);
    expect(durationAtMost(1)).toBe(DURATION_BINS[0]);
    const cleaned = cleanNotes([
      { onset: 0, duration: 24, pitch: 60, velocity: 60 },
      { onset: 12, duration: 12, pitch: 60, velocity: 60 },
      { onset: 12, duration: 6, pitch: 60, velocity: 70 },
    ]);
    expect(cleaned).toEqual([{ onset: 0, duration: 12, pitch: 60, velocity: 60 }, { onset: 12, duration: 12, pitch: 60, velocity: 60 }]);
    expect(monophonic([{ onset: 0, duration: 24, pitch: 40, velocity: 80 }, { onset: 6, duration: 6, pitch: 43, velocity: 80 }])[0].duration).toBe(6);
  });

  it('finds the chord at a tick', () => {
    const spans = spansOf(['C', 'F', 'G']);
    expect(chordAt(spans, 0)?.chord.root).toBe(0);
    expect(chordAt(spans, 95)?.chord.root).toBe(5);
    expect(chordAt(spans, 144)).toBeUndefined();
  });
});

describe('drum kits', () => {
  it('maps every TD-11 key to a General MIDI drum', () => {
    for (const gm of Object.values(TD11_TO_GM)) expect(GM_DRUM_NAMES[gm]).toBeDefined();
    const mapped = td11ToGeneralMidi([
      { onset: 0, duration: 2, pitch: 22, velocity: 50 },
      { onset: 0, duration: 2, pitch: 42, velocity: 70 },
      { onset: 3, duration: 2, pitch: 58, velocity: 60 },
    ]);
    expect(mapped).toEqual([{ onset: 0, duration: 2, pitch: 42, velocity: 70 }, { onset: 3, duration: 2, pitch: 43, velocity: 60 }]);
  });
});
