import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive, readArchiveMember } from '../src/dataset/archive.ts';
import { analyzeScore } from '../src/analysis/analysis.ts';
import { positionIndex } from '../src/music/grid.ts';
import { evenSample, manifestMembers } from '../src/dataset/key-accuracy.ts';
import { keyName } from '../src/music/keys.ts';
import { CHOIR_PROGRAM, MusicXmlReadError, keyFromFifths, readMusicXml, readMxl } from '../src/music/musicxml.ts';
import { barsOf, scoreEndTick, type Score } from '../src/music/score.ts';
import { DATA_DIR, fixturePath, withoutData } from './helpers/data.ts';

const pitch = (step: string, octave: number, alter = 0) =>
  `<pitch><step>${step}</step>${alter ? `<alter>${alter}</alter>` : ''}<octave>${octave}</octave></pitch>`;
const n = (body: string, duration: number, extra = '') => `<note>${body}<duration>${duration}</duration>${extra}</note>`;
const rest = (duration: number) => n('<rest/>', duration);

/** Three parts in 3/4 with a pickup, a chord, two voices, a tie over the bar line, a grace note and triplets. */
const DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
<score-partwise version="3.1">
  <work><work-title>Test</work-title></work>
  <part-list>
    <score-part id="P1"><part-name>Soprano</part-name></score-part>
    <score-part id="P2"><part-name>Bass</part-name></score-part>
    <score-part id="P3"><part-name>Violin</part-name></score-part>
  </part-list>
  <part id="P1">
    <measure number="0" implicit="yes">
      <attributes><divisions>2</divisions><key><fifths>-3</fifths><mode>minor</mode></key>
        <time><beats>3</beats><beat-type>4</beat-type></time></attributes>
      ${n(pitch('G', 4), 2)}
    </measure>
    <measure number="1">
      <note><grace/>${pitch('F', 5)}</note>
      ${n(pitch('E', 5, -1), 4)}
      ${n(`<chord/>${pitch('C', 5)}`, 4)}
      ${n(pitch('D', 5), 2, '<tie type="start"/>')}
      <backup><duration>6</duration></backup>
      ${rest(2)}
      ${n(pitch('G', 3), 4)}
    </measure>
    <measure number="2">
      <attributes><divisions>6</divisions></attributes>
      ${n(pitch('D', 5), 6, '<tie type="stop"/>')}
      ${n(pitch('C', 5), 2)}${n(pitch('B', 4), 2)}${n(pitch('C', 5), 2)}
      ${rest(6)}
    </measure>
  </part>
  <part id="P2">
    <measure number="0"><attributes><divisions>2</divisions><key><fifths>-3</fifths></key></attributes>${rest(2)}</measure>
    <measure number="1">${n(pitch('C', 3), 6)}</measure>
    <measure number="2">${n(pitch('C', 3), 6)}</measure>
  </part>
  <part id="P3">
    <measure number="0"><attributes><divisions>2</divisions></attributes>${rest(2)}</measure>
    <measure number="1"><direction><direction-type><words>Andante</words></direction-type><sound tempo="90"/></direction>
      ${n(pitch('C', 4), 6)}</measure>
    <measure number="2"><sound tempo="60"/>${n('<rest measure="yes"/>', 6)}</measure>
  </part>
</score-partwise>`;

const triples = (score: Score, program: number) =>
  score.tracks.find((track) => track.program === program)!.notes.map((note) => [note.onset, note.duration, note.pitch]);

describe('readMusicXml', () => {
  it('reads notes, chords, voices, ties, tempo, meter and key onto the grid', () => {
    const { score, key, title } = readMusicXml(DOCUMENT);
    expect(title).toBe('Test');
    expect(key && keyName(key)).toBe('C minor');
    expect(score.timeSignatures).toEqual([{ tick: 0, numerator: 3, denominator: 4 }]);
    expect(score.tempos).toEqual([{ tick: 0, bpm: 90 }, { tick: 72, bpm: 60 }]);
    expect(score.tracks.map((track) => [track.program, track.name])).toEqual([[0, 'Violin'], [CHOIR_PROGRAM, 'choir aahs']]);
    expect(triples(score, 0)).toEqual([[36, 36, 60]]);
    // The pickup quarter ends on the first bar line (tick 36); the tied D5 lasts from beat 3 of bar 1 to bar 2.
    expect(triples(score, CHOIR_PROGRAM)).toEqual([
      [24, 12, 67], [36, 36, 48], [36, 24, 72], [36, 24, 75], [48, 24, 55], [60, 24, 74],
      [72, 36, 48], [84, 4, 72], [88, 4, 71], [92, 4, 72],
    ]);
    expect(score.tracks.every((track) => track.notes.every((note) => note.velocity === 80))).toBe(true);
  });

  it('gives split bars a meter of their own length', () => {
    const measure = (number: number, quarters: number) =>
      `<measure number="${number}">${number === 1 ? '<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>' : ''}${n(pitch('C', 4), quarters)}</measure>`;
    const xml = `<score-partwise><part-list><score-part id="P1"><part-name>Piano</part-name></score-part></part-list>
      <part id="P1">${measure(1, 4)}${measure(2, 3)}${measure(3, 1)}${measure(4, 4)}</part></score-partwise>`;
    const { score, key } = readMusicXml(xml);
    expect(key).toBeNull();
    expect(score.timeSignatures).toEqual([
      { tick: 0, numerator: 4, denominator: 4 }, { tick: 48, numerator: 3, denominator: 4 },
      { tick: 84, numerator: 1, denominator: 4 }, { tick: 96, numerator: 4, denominator: 4 },
    ]);
    expect(score.tracks[0].notes.map((note) => note.onset)).toEqual([0, 48, 84, 96]);
    expect(score.tempos).toEqual([{ tick: 0, bpm: 120 }]);
  });

  it('maps key signatures and modes to keys, and refuses what it cannot read', () => {
    expect(keyFromFifths(2, 'major')).toEqual({ tonic: 2, mode: 'major' });
    expect(keyFromFifths(2, 'minor')).toEqual({ tonic: 11, mode: 'minor' });
    expect(keyFromFifths(0, 'dorian')).toEqual({ tonic: 2, mode: 'minor' });
    expect(keyFromFifths(-1, 'mixolydian')).toEqual({ tonic: 0, mode: 'major' });
    expect(() => readMusicXml('<score-timewise/>')).toThrow(MusicXmlReadError);
    expect(() => readMxl(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toThrow(MusicXmlReadError);
  });
});

describe('readMxl on the Bach chorales', () => {
  const archive = path.join(DATA_DIR, 'parts/music21-corpus.tar.gz');

  it('reads BWV 1.6 note for note', async () => {
    const bytes = await readArchiveMember(fixturePath('parts/music21-corpus.tar.gz'), 'music21/corpus/bach/bwv1.6.mxl');
    const { score, key } = readMxl(bytes!);
    expect(key && keyName(key)).toBe('F major');
    expect(score.tempos).toEqual([{ tick: 0, bpm: 76 }]);
    // The horn part has 153 pitched notes, 6 of them tied on from the one before; the four voices have
    // 70 + 89 + 93 + 93 with one tie, and 7 unisons between voices are one note each in the merged track.
    expect(score.tracks.map((track) => [track.program, track.name, track.notes.length])).toEqual([
      [0, 'Horn 2', 147], [CHOIR_PROGRAM, 'choir aahs', 337],
    ]);
    // Pickup: the soprano's F4 sounds on the last beat before the first bar line.
    expect(score.tracks[1].notes.filter((note) => note.onset === 36).map((note) => note.pitch)).toEqual([53, 57, 60, 65]);
    expect(analyzeScore(score).bars).toBe(21);
  });

  it.skipIf(withoutData())('reads every sampled chorale into notes on the grid with a key', async () => {
    const names = new Set(evenSample(manifestMembers(archive).filter((name) => /^music21\/corpus\/bach\/[^/]+\.(mxl|xml)$/.test(name)), 60));
    let read = 0;
    for await (const { name, bytes } of readArchive(archive, (name) => names.has(name))) {
      const { score, key } = readMxl(bytes);
      expect(key, name).not.toBeNull();
      const bars = barsOf(score, scoreEndTick(score));
      for (const note of score.tracks.flatMap((track) => track.notes)) {
        const bar = bars.filter((b) => b.start <= note.onset).at(-1)!;
        expect(positionIndex(note.onset - bar.start), name).toBeGreaterThanOrEqual(0);
      }
      expect(score.tracks.some((track) => track.program === CHOIR_PROGRAM && track.notes.length > 50), name).toBe(true);
      read += 1;
    }
    expect(read).toBe(60);
  });
});
