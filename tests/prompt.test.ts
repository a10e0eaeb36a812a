import { describe, expect, it } from 'vitest';
import { describeAttributes, parsePrompt, type PromptAttributes } from '../src/text/prompt.ts';
import { PHRASES, segmentPhrases } from '../src/text/phrases.ts';
import { GENRES, INSTRUMENT_ALIASES, MOODS, TEMPO_WORDS } from '../src/text/words.ts';

function read(text: string): PromptAttributes {
  const result = parsePrompt(text);
  if (!result.ok) throw new Error(`"${text}" was refused: ${result.error}`);
  return result.attributes;
}

function refusal(text: string): string {
  const result = parsePrompt(text);
  if (result.ok) throw new Error(`"${text}" was accepted: ${JSON.stringify(result.attributes)}`);
  return result.error;
}

const key = (tonic: number, mode: 'major' | 'minor') => ({ tonic, mode });

/** Prompts and the attributes they must give (other attributes may be present unless listed in `absent`). */
const CASES: Array<[string, PromptAttributes, Array<keyof PromptAttributes>?]> = [
  // tempo
  ['lofi beat 90bpm', { bpm: 90, drums: true, genres: ['lofi'] }],
  ['90 BPM', { bpm: 90 }, ['tempoRange']],
  ['tempo 90, please', { bpm: 90 }],
  ['something at 120 bpm', { bpm: 120 }],
  ['♩=100 march', { bpm: 100, genres: ['march'], timeSignature: [2, 4] }],
  ['100 beats per minute', { bpm: 100 }],
  ['q = 72 hymn', { bpm: 72 }],
  ['92.4 bpm', { bpm: 92 }],
  ['between 90 and 110 bpm', { tempoRange: [90, 110] }, ['bpm']],
  ['90-100 BPM house', { tempoRange: [90, 100], genres: ['house'] }, ['bpm']],
  ['slow piano', { tempoWord: 'slow', tempoRange: [60, 80], instruments: [0] }, ['bpm']],
  ['andante for strings', { tempoWord: 'andante', tempoRange: [76, 108], instruments: [48] }],
  ['fast punk', { tempoWord: 'fast', tempoRange: [140, 180], genres: ['punk'] }],
  ['fast, 120 bpm', { bpm: 120, tempoWord: 'fast' }, ['tempoRange']],
  ['chill lofi', { tempoWord: 'chill', moods: ['chill'], genres: ['lofi'] }],
  ['upbeat pop', { tempoWord: 'upbeat', tempoRange: [110, 140], genres: ['pop'] }],
  ['up-tempo 3:25 loop', { tempoWord: 'uptempo', seconds: 205 }, ['bpm']],
  ['tempo 104 minor-key', { bpm: 104, mode: 'minor' }],
  ['trap beat with 808s at 140', { bpm: 140, genres: ['trap'] }],
  ['rock at 90 with drums', { bpm: 90, drums: true, genres: ['rock'] }],
  ['techno @ 130', { bpm: 130, genres: ['techno'] }],
  ['medium swing 140, sax', { bpm: 140, genres: ['swing'] }],
  ['piano at 16 bars', { bars: 16, instruments: [0] }, ['bpm']],
  ['meet at 10 and go', {}, ['bpm']],
  ['lofi at 300', { genres: ['lofi'] }, ['bpm']],
  // keys
  ['sad piano in C# minor', { key: key(1, 'minor'), instruments: [0], moods: ['sad'] }],
  ['Db major ballad', { key: key(1, 'major'), genres: ['ballad'] }],
  ['something in A', { key: key(9, 'major') }],
  ['F#m trap beat', { key: key(6, 'minor'), genres: ['trap'], drums: true }],
  ['key of Bb', { key: key(10, 'major') }],
  ['E flat major waltz', { key: key(3, 'major'), genres: ['waltz'], timeSignature: [3, 4] }],
  ['F sharp minor', { key: key(6, 'minor') }],
  ['a minor lofi', { key: key(9, 'minor'), genres: ['lofi'] }],
  ['lofi in Am', { key: key(9, 'minor') }],
  ['Am lofi with keys', { key: key(9, 'minor'), instruments: [4] }],
  ['in the key of g', { key: key(7, 'major') }],
  ['dark Ebm pad', { key: key(3, 'minor'), moods: ['dark'], instruments: [89] }],
  ['e-flat minor nocturne', { key: key(3, 'minor'), genres: ['classical'] }],
  ['in Eb, 6/8', { key: key(3, 'major'), timeSignature: [6, 8] }],
  ['The chord progression Dm, Bb, F, C repeats. It is in F major.', { key: key(5, 'major') }],
  // false positives
  ['a sad song', { moods: ['sad'] }, ['key', 'mode']],
  ['I am so happy today', { moods: ['happy'] }, ['key', 'mode']],
  ['Am I dreaming?', {}, ['key', 'mode']],
  ['something in a minor key with strings', { mode: 'minor', instruments: [48] }, ['key']],
  ['piano in a dark mood', { instruments: [0], moods: ['dark'] }, ['key', 'mode']],
  ['In A Dark Room', { moods: ['dark'] }, ['key']],
  ['r&b minor-key groove', { genres: ['rnb'], mode: 'minor' }, ['key']],
  ['chords Am F C G on piano', { instruments: [0] }, ['key', 'mode']],
  ['80s synth pop', { genres: ['80s', 'synthpop'] }, ['seconds', 'instruments']],
  ['a second guitar line', {}, ['seconds']],
  ['dnb in D&B style', { genres: ['drum and bass'] }, ['key']],
  // meter
  ['3/4 piano', { timeSignature: [3, 4] }],
  ['waltz', { timeSignature: [3, 4], genres: ['waltz'] }],
  ['jig for fiddle', { timeSignature: [6, 8], instruments: [110], genres: ['jig'] }],
  ['a waltz in 4/4', { timeSignature: [4, 4], genres: ['waltz'] }],
  ['in common time', { timeSignature: [4, 4] }],
  // instruments
  ['rhodes and e-piano', { instruments: [4] }],
  ['organ', { instruments: [16] }],
  ['808s and hi-hats', { instruments: [38], drums: true }],
  ['violins and cellos', { instruments: [40, 42] }],
  ['acoustic guitar', { instruments: [25] }],
  ['metal riff on guitar', { instruments: [30], genres: ['metal'] }],
  ['rock guitar', { instruments: [29], genres: ['rock'] }],
  ['bossa nova guitar', { instruments: [24], genres: ['bossa nova'] }],
  ['jazz guitar trio', { instruments: [26] }],
  ['synth, pad and synth bass', { instruments: [81, 89, 38] }],
  ['brass, trumpet and sax', { instruments: [61, 56, 65] }],
  ['flute, harp and marimba', { instruments: [73, 46, 12] }],
  ['choir with vocals', { instruments: [52] }],
  ['bells', { instruments: [9] }],
  ['fast 8-bit boss music', { tempoWord: 'fast', genres: ['chiptune'], instruments: [80], moods: ['intense'] }],
  ['acoustic guitar (nylon) and lead 2 (sawtooth)', { instruments: [24, 81] }],
  // drums
  ['no drums, just piano and strings', { drums: false, instruments: [0, 48] }],
  ['ambient without drums', { drums: false, genres: ['ambient'] }],
  ['drumless rhodes', { drums: false, instruments: [4] }],
  ['guitar w/o drums', { drums: false }],
  ['hip hop beat', { drums: true, genres: ['hip hop'] }],
  ['solo piano', { drums: false, instruments: [0] }],
  ['solo piano with drums', { drums: true }],
  ['no drums or bass, only piano', { drums: false, instruments: [0] }],
  ['not sad, not slow', {}, ['moods', 'tempoWord']],
  ['drum and bass', { genres: ['drum and bass'] }, ['drums', 'instruments']],
  ['steel drums', { instruments: [114] }, ['drums']],
  // length
  ['16 bars', { bars: 16 }],
  ['a 16-bar loop', { bars: 16 }],
  ['sixteen bars of jazz', { bars: 16, genres: ['jazz'] }],
  ['30 seconds', { seconds: 30 }],
  ['1 minute', { seconds: 60 }],
  ['a minute and a half', { seconds: 90 }],
  ['1:30', { seconds: 90 }],
  ['2 minutes 10 seconds long', { seconds: 130 }, ['lengthWord']],
  ['short metal riff', { lengthWord: 'short', bars: 8, genres: ['metal'] }],
  ['long ambient piece', { lengthWord: 'long', bars: 32 }],
  ['long notes on a cello', { instruments: [42] }, ['lengthWord', 'bars']],
  ['short, 12 bars', { lengthWord: 'short', bars: 12 }],
  // genres and moods
  ['lo-fi hip hop', { genres: ['lofi', 'hip hop'] }],
  ['r&b and soul', { genres: ['rnb', 'soul'] }],
  ['cinematic film score, epic and triumphant', { genres: ['cinematic'], moods: ['epic', 'triumphant'] }],
  ['melancholic, dreamy, nostalgic', { moods: ['melancholic', 'dreamy', 'nostalgic'] }],
  ['reggae dub', { genres: ['reggae', 'dub'] }],
  ['blorp zizzle', {}, ['bpm', 'key', 'instruments', 'genres', 'moods']],
];

describe('parsePrompt', () => {
  it.each(CASES)('reads %j', (text, expected, absent = []) => {
    const attributes = read(text);
    expect(attributes).toMatchObject(expected);
    for (const field of absent) expect(attributes[field], field).toBeUndefined();
  });

  it('reads a prompt with everything in it', () => {
    expect(read('Sad lofi hip hop beat in F# minor at 84 BPM, 4/4, with rhodes, upright bass and vinyl crackle, 16 bars')).toEqual({
      bpm: 84, key: key(6, 'minor'), timeSignature: [4, 4], instruments: [4, 32], drums: true, bars: 16,
      genres: ['lofi', 'hip hop'], moods: ['sad'],
    });
  });

  it('returns nothing at all for a prompt of unknown words', () => {
    expect(read('make it sound like a sunday morning coffee')).toEqual({});
  });
});

describe('parsePrompt refusals', () => {
  it.each([
    ['9000 bpm', /"9000 bpm".*20 to 299 BPM/],
    ['0 bpm', /"0 bpm".*20 to 299 BPM/],
    ['tempo -5', /20 to 299 BPM/],
    ['Z# minor', /"Z# minor" is not a key.*A to G/],
    ['H major', /"H major" is not a key/],
    ['0 bars', /"0 bars".*1 to 64/],
    ['1000 bars', /"1000 bars".*1 to 64/],
    ['13/7 groove', /"13\/7" is not a supported time signature.*3\/4.*12\/8/],
    ['20 minutes of ambient', /"20 minutes".*10 minutes/],
    ['', /empty/],
    ['   \n\t ', /empty/],
  ])('refuses %j', (text, message) => {
    expect(refusal(text)).toMatch(message);
  });

  it('names every problem in one sentence list, and never throws', () => {
    const error = refusal('9000 bpm in H major, 0 bars');
    expect(error).toMatch(/tempo/);
    expect(error).toMatch(/not a key/);
    expect(error).toMatch(/bars/);
    for (const text of [null, undefined, 42, '\u0001', '♩=', '/'.repeat(500), 'in', 'key of']) {
      expect(() => parsePrompt(text as string)).not.toThrow();
    }
  });
});

describe('vocabulary', () => {
  it('reads every alias back as what it names, alone and in a sentence', () => {
    for (const [program, aliases] of Object.entries(INSTRUMENT_ALIASES)) {
      for (const alias of aliases) expect(read(`a tune with ${alias} in it`).instruments, alias).toEqual([Number(program)]);
    }
    for (const [genre, entry] of Object.entries(GENRES)) {
      for (const alias of entry.aliases) expect(read(`some ${alias} music`).genres, alias).toEqual([genre]);
    }
    for (const [mood, aliases] of Object.entries(MOODS)) {
      for (const alias of aliases) expect(read(`something ${alias}`).moods, alias).toEqual([mood]);
    }
    for (const [word, entry] of Object.entries(TEMPO_WORDS)) {
      for (const alias of entry.aliases) expect(read(`a ${alias} song`).tempoRange, alias).toEqual(entry.range);
    }
  });

  it('knows several hundred phrases and splits running words longest first', () => {
    expect(PHRASES.size).toBeGreaterThan(500);
    expect(segmentPhrases('jazz guitar')).toEqual(['[jazz guitar]']);
    expect(segmentPhrases('lofi hip hop beat')).toEqual(['[lofi]', '[hip hop]', '[beat]']);
  });
});

describe('describeAttributes', () => {
  it('summarizes attributes in one line', () => {
    expect(describeAttributes(read('sad lofi beat in Am, 90bpm, 16 bars, with rhodes'))).toBe(
      '90 BPM, A minor, electric piano 1, drums, 16 bars, lofi, sad');
    expect(describeAttributes(read('slow waltz'))).toBe('slow 60-80 BPM, 3/4, waltz');
    expect(describeAttributes({})).toBe('no attributes');
  });
});
