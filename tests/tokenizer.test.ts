import { describe, expect, it } from 'vitest';
import { readMidi, MidiReadError } from '../src/music/midi.ts';
import { checkRoundTrip } from '../src/tokens/roundtrip.ts';
import { decodeHeader, decodeScore, encodeHeader, encodeScore, headerLength, readHeader } from '../src/tokens/tokenizer.ts';
import { isValid } from '../src/tokens/grammar.ts';
import { DRUMS, sliceBars, type Score } from '../src/music/score.ts';
import { BAR, TOKEN_NAMES, VOCAB_SIZE, tokenId, tokenName, MUSIC_VOCAB_HASH } from '../src/tokens/vocab.ts';
import { fixtureMidi, fixturePath, sampleMidi, withoutData } from './helpers/data.ts';
import { readArchive, type ArchiveMember } from '../src/dataset/archive.ts';
import { readMxl } from '../src/music/musicxml.ts';

/** The fixtures' collections, always here; the rest of the training data's, read where it is. */
const FIXTURE_SOURCES = ['multitrack/freedoom.tar.gz', 'parts/pop909.tar.gz', 'parts/groove.tar.gz'];
const DATA_SOURCES = ['multitrack/freemidi.tar.gz', 'multitrack/vgmusic.tar.gz', 'multitrack/riddim.tar.gz', 'parts/nottingham.tar.gz', 'parts/vgmidi.tar.gz'];

function readable(bytes: Uint8Array): Score | undefined {
  try {
    return readMidi(bytes);
  } catch (error) {
    if (error instanceof MidiReadError) return undefined;
    throw error;
  }
}

describe('vocabulary', () => {
  it('is well under 1,000 tokens with unique names', () => {
    expect(VOCAB_SIZE).toBeLessThan(700);
    expect(new Set(TOKEN_NAMES).size).toBe(VOCAB_SIZE);
    expect(MUSIC_VOCAB_HASH).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('header', () => {
  it('states tempo to the BPM, meter, key, instruments and bars', () => {
    const header = { timeSignature: [6, 8] as [number, number], bpm: 90, key: { tonic: 2, mode: 'minor' as const }, instruments: [DRUMS, 0, 33], bars: 12 };
    const ids = encodeHeader(header);
    expect(ids.map(tokenName)).toEqual(['BOS', 'TS_6/8', 'TEMPO_TENS_9', 'TEMPO_ONES_0', 'KEY_D_minor', 'INST_0', 'INST_33', 'INST_DRUMS', 'BARS_12']);
    expect(decodeHeader(ids)).toEqual({ ...header, instruments: [0, 33, DRUMS] });
    for (const bpm of [20, 87, 91, 140, 299]) expect(decodeHeader(encodeHeader({ ...header, bpm })).bpm).toBe(bpm);
  });

  it('reads a header as far as it is written, and stops at its end', () => {
    const ids = encodeHeader({ timeSignature: [3, 4], bpm: 72, key: null, instruments: [DRUMS], bars: 4 });
    expect(readHeader(ids.slice(0, 3))).toEqual({ timeSignature: [3, 4], instruments: [], length: 3 });
    expect(readHeader(ids.slice(0, 6))).toEqual({ timeSignature: [3, 4], bpm: 72, key: null, instruments: [DRUMS], length: 6 });
    const body = [...ids, BAR, tokenId('position', 0), tokenId('instrument', DRUMS), tokenId('drum', 36), tokenId('velocity', 8), tokenId('duration', 3)];
    expect(readHeader(body)).toEqual({ timeSignature: [3, 4], bpm: 72, key: null, instruments: [DRUMS], bars: 4, length: ids.length });
    expect(headerLength(body)).toBe(ids.length);
    expect(() => decodeHeader(ids.slice(0, 6))).toThrow(/incomplete/);
    expect(() => headerLength(ids.slice(0, 6))).toThrow(/no complete header/);
  });
});

/** The first 12 MIDI files of an archive keep every note, the tempo map and the meters through the tokens. */
async function expectRoundTrips(members: ArchiveMember[]): Promise<void> {
  let checked = 0;
  for (const member of members) {
    const score = readable(member.bytes);
    if (!score) continue;
    const report = checkRoundTrip(score);
    expect(report.differences, member.name).toEqual([]);
    expect(isValid(encodeScore(score))).toBe(true);
    checked += 1;
  }
  expect(checked).toBeGreaterThanOrEqual(10);
}

describe('decode(encode(x)) on real files from every source', () => {
  for (const source of FIXTURE_SOURCES) {
    it(`keeps every note, the tempo map and the meters: ${source}`, async () => {
      await expectRoundTrips(await fixtureMidi(source, 12));
    });
  }

  for (const source of DATA_SOURCES) {
    it.skipIf(withoutData())(`keeps every note, the tempo map and the meters: ${source}`, async () => {
      await expectRoundTrips(await sampleMidi(source, 12));
    });
  }

  it('keeps every note of the music21 MusicXML pieces (chorales, rags)', async () => {
    let checked = 0;
    for await (const member of readArchive(fixturePath('parts/music21-corpus.tar.gz'), (name) => name.endsWith('.mxl'))) {
      const report = checkRoundTrip(readMxl(member.bytes).score);
      expect(report.differences, member.name).toEqual([]);
      if (++checked >= 12) break;
    }
    expect(checked).toBe(12);
  });

  it('round-trips windows cut from a song, with the header recomputed for each', async () => {
    const [member] = await fixtureMidi('multitrack/freedoom.tar.gz', 1);
    const score = readMidi(member.bytes);
    for (const from of [0, 4, 9]) {
      const window = sliceBars(score, from, 8);
      const ids = encodeScore(window, { bars: 8 });
      expect(isValid(ids)).toBe(true);
      const header = decodeHeader(ids);
      expect(header.bars).toBe(8);
      const back = decodeScore(ids);
      expect(back.tracks.flatMap((t) => t.notes).length).toBe(window.tracks.flatMap((t) => t.notes).length);
    }
  });
});
