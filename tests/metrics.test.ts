import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';
import {
  MUSICALITY_METRICS, barsToLastOnset, compressionRatio, drumBarAgreement, drumHitsPerBar, emptyBeatRate, harmonicPolyphony, grooveConsistency, keyMatch, keyMatchOrRelative,
  measureAdherence, measureMusicality, pitchClassEntropy, polyphony, polyphonyRate, scaleConsistency, summarize,
  tempoBin, tempoBinMatch, tempoBinNearMatch, type Musicality,
} from '../src/analysis/metrics/index.ts';
import { measureReferenceMetrics, type ReferenceMetrics } from '../src/dataset/reference-metrics.ts';
import { DRUMS, type Note, type Score, type Track } from '../src/music/score.ts';
import { DATA_DIR, sampleMidi, withoutData } from './helpers/data.ts';

const note = (onset: number, pitch: number, duration = 12): Note => ({ onset, pitch, duration, velocity: 100 });
const track = (program: number, notes: Note[], isDrum = false): Track => ({ program, isDrum, name: '', notes });
const score = (tracks: Track[], bpm = 120, meter: [number, number] = [4, 4]): Score => ({
  tempos: [{ tick: 0, bpm }],
  timeSignatures: [{ tick: 0, numerator: meter[0], denominator: meter[1] }],
  tracks,
});
const C_MAJOR_SCALE = [60, 62, 64, 65, 67, 69, 71];

describe('text2midi control metrics', () => {
  it('puts each edge in the bin above it', () => {
    expect([0, 39.9, 40, 59.9, 60, 70, 90, 110, 140, 160, 209, 209.9, 210, 300].map(tempoBin)).toEqual([
      0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 7, 7, 8, 8,
    ]);
  });

  it('TB needs the same bin, TBT allows the neighbouring one', () => {
    expect(tempoBinMatch(39.9, 40)).toBe(false);
    expect(tempoBinNearMatch(39.9, 40)).toBe(true);
    expect(tempoBinNearMatch(39.9, 60)).toBe(false);
    expect(tempoBinMatch(160, 209)).toBe(true);
    expect(tempoBinMatch(209, 210)).toBe(false);
    expect(tempoBinNearMatch(210, 140)).toBe(false);
  });

  it('CK needs tonic and mode; CKD also accepts the relative key', () => {
    const cMajor = { tonic: 0, mode: 'major' } as const;
    const aMinor = { tonic: 9, mode: 'minor' } as const;
    const cMinor = { tonic: 0, mode: 'minor' } as const;
    const ebMajor = { tonic: 3, mode: 'major' } as const;
    expect(keyMatch(cMajor, cMajor)).toBe(true);
    expect(keyMatch(cMajor, aMinor)).toBe(false);
    expect(keyMatchOrRelative(cMajor, aMinor)).toBe(true);
    expect(keyMatchOrRelative(aMinor, cMajor)).toBe(true);
    expect(keyMatchOrRelative(cMinor, ebMajor)).toBe(true);
    expect(keyMatchOrRelative(cMajor, cMinor)).toBe(false);
    expect(keyMatchOrRelative(cMajor, null)).toBe(false);
  });
});

describe('prompt adherence', () => {
  // Four bars of 3/4 at 100 BPM: piano and bass play, drums keep time.
  const bars = 4;
  const waltz = score(
    [
      track(0, Array.from({ length: bars * 3 }, (_, i) => note(i * 12, 60 + (i % 3) * 4))),
      track(33, Array.from({ length: bars }, (_, i) => note(i * 36, 36, 36))),
      track(0, Array.from({ length: bars * 3 }, (_, i) => note(i * 12, 42)), true),
    ],
    100,
    [3, 4],
  );

  it('judges every attribute the prompt named', () => {
    const result = measureAdherence(
      { bpm: 100, timeSignature: [3, 4], instruments: [0, 40], drums: true, bars: 4, key: { tonic: 0, mode: 'major' } },
      waltz,
      { key: { tonic: 9, mode: 'minor' } },
    );
    expect(result).toEqual({
      bpm: true, tempoBin: true, tempoBinNear: true, key: false, keyOrRelative: true, timeSignature: true,
      instrumentRecall: 0.5, instrumentPrecision: 0.5, drums: true, bars: true,
    });
  });

  it('leaves unasked attributes undefined and catches misses', () => {
    const result = measureAdherence({ bpm: 112, timeSignature: [4, 4], drums: false, bars: 8 }, waltz);
    expect(result).toEqual({
      bpm: false, tempoBin: false, tempoBinNear: true, timeSignature: false, drums: false, bars: false,
    });
    expect(measureAdherence({}, waltz)).toEqual({});
  });

  it('counts bars to the one where the last note starts, so a final note held over the bar line still passes', () => {
    const held = structuredClone(waltz);
    held.tracks[1].notes.at(-1)!.duration = 72; // the last bass note rings a whole bar past the end of bar 4
    expect(barsToLastOnset(held)).toBe(4);
    expect(measureAdherence({ bars: 4 }, held)).toEqual({ bars: true });
    expect(measureAdherence({ bars: 5 }, held)).toEqual({ bars: false });
    held.tracks[0].notes.push(note(bars * 36, 62)); // one note starting on bar 5's downbeat makes it 5 bars
    expect(measureAdherence({ bars: 4 }, held)).toEqual({ bars: false });
    expect(barsToLastOnset(held)).toBe(5);
    expect(barsToLastOnset(score([track(0, [])], 100, [3, 4]))).toBe(0);
  });

  it('judges the kit by `drums`, never as a requested instrument', () => {
    const band = score([track(0, [note(0, 60)]), track(0, [note(0, 36)], true)]);
    expect(measureAdherence({ instruments: [0, DRUMS] }, band)).toEqual({ instrumentRecall: 1, instrumentPrecision: 1 });
  });

  it('needs the estimated key when the prompt names one', () => {
    expect(() => measureAdherence({ key: { tonic: 0, mode: 'major' } }, waltz)).toThrow(/key/);
  });
});

describe('musicality on hand-built scores', () => {
  const scale = score([track(0, C_MAJOR_SCALE.map((pitch, i) => note(i * 12, pitch)))]);

  it('a C major scale is fully in scale with log2(7) bits of pitch-class entropy', () => {
    expect(scaleConsistency(scale)).toBe(1);
    expect(pitchClassEntropy(scale)).toBeCloseTo(Math.log2(7), 10);
    // Entropy counts notes, not durations; drums do not count at all.
    const lopsided = score([
      track(0, [note(0, 60, 96), ...C_MAJOR_SCALE.slice(1).map((pitch, i) => note(96 + i * 3, pitch, 3))]),
      track(0, [note(0, 37), note(12, 61)], true),
    ]);
    expect(pitchClassEntropy(lopsided)).toBeCloseTo(Math.log2(7), 10);
    expect(scaleConsistency(lopsided)).toBe(1);
  });

  it('chromatic notes lower scale consistency', () => {
    const chromatic = score([track(0, Array.from({ length: 12 }, (_, i) => note(i * 12, 60 + i)))]);
    expect(scaleConsistency(chromatic)).toBeCloseTo(7 / 12, 10);
    expect(pitchClassEntropy(chromatic)).toBeCloseTo(Math.log2(12), 10);
  });

  it('nothing pitched to measure gives NaN, as in MusPy', () => {
    const drumsOnly = score([track(0, [note(0, 36), note(12, 38)], true)]);
    expect(scaleConsistency(drumsOnly)).toBeNaN();
    expect(pitchClassEntropy(drumsOnly)).toBeNaN();
    expect(polyphony(drumsOnly)).toBeNaN();
    expect(compressionRatio(drumsOnly)).toBeNaN();
    expect(emptyBeatRate(drumsOnly)).toBe(0);
    expect(grooveConsistency(drumsOnly)).toBeNaN(); // a single bar
  });

  it('a constant repeated bar has groove consistency 1 and compresses far better than random bars', () => {
    const bar = [note(0, 48), note(0, 60), note(0, 64), note(12, 67, 6), note(18, 65, 6), note(24, 64), note(36, 62, 3)];
    const repeated = score([track(0, Array.from({ length: 16 }, (_, b) => bar.map((n) => ({ ...n, onset: n.onset + b * 48 }))).flat())]);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const varied = score([
      track(0, Array.from({ length: 16 }, (_, b) => bar.map((n) => ({ ...n, onset: n.onset + b * 48, pitch: 40 + Math.floor(random() * 48) }))).flat()),
    ]);
    expect(grooveConsistency(repeated)).toBe(1);
    expect(compressionRatio(repeated)).toBeGreaterThan(5);
    expect(compressionRatio(varied)).toBeLessThan(1.6);
  });

  it('groove consistency counts differing onset positions per bar, drums included', () => {
    const twoBars = score([track(0, [note(0, 60), note(24, 60), note(48, 60)]), track(0, [note(48 + 36, 42)], true)]);
    // Bar 1 onsets {0, 24}, bar 2 onsets {0, 36}: two of 48 positions differ.
    expect(grooveConsistency(twoBars)).toBeCloseTo(1 - 2 / 48, 10);
  });

  it('empty beats are quarter notes where nothing sounds, drums included', () => {
    const gappy = score([track(0, [note(0, 60), note(36, 60)])]);
    expect(emptyBeatRate(gappy)).toBe(0.5);
    // A note ending on a beat line does not fill the next beat (MusPy's code would count it).
    const held = score([track(0, [note(0, 60, 24), note(36, 60)])]);
    expect(emptyBeatRate(held)).toBe(0.25);
    const withDrum = score([track(0, [note(0, 60), note(36, 60)]), track(0, [note(15, 42, 3)], true)]);
    expect(emptyBeatRate(withDrum)).toBe(0.25);
  });

  it('polyphony counts distinct sounding pitches; the rate spans the whole piece', () => {
    const chordThenNote = score([
      track(0, [note(0, 60), note(0, 64), note(0, 67), note(12, 72)]),
      track(48, [note(0, 60)]), // the same pitch in a second track sounds once
      track(0, [note(0, 36, 48)], true),
    ]);
    expect(polyphony(chordThenNote)).toBe(2);
    expect(polyphonyRate(chordThenNote)).toBe(12 / 48);
    expect(polyphonyRate(chordThenNote, 4)).toBe(0);
  });

  describe('the drums\' groove', () => {
    // A rock beat: kick on 1 and 3, snare on 2 and 4, closed hi-hat on every eighth (12 hits a 4/4 bar).
    const rockBar = [0, 24].map((t) => note(t, 36, 3)).concat([12, 36].map((t) => note(t, 38, 3)), [0, 6, 12, 18, 24, 30, 36, 42].map((t) => note(t, 42, 3)));
    const bars = (pattern: Note[], count: number, barTicks = 48) => Array.from({ length: count }, (_, b) => pattern.map((n) => ({ ...n, onset: n.onset + b * barTicks }))).flat();
    const fill = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45].map((t) => note(t, 45, 3));

    it('a repeated beat agrees fully; a fill every fourth bar does not move the median', () => {
      const steady = score([track(0, bars(rockBar, 8), true)]);
      expect(drumBarAgreement(steady)).toBe(1);
      expect(drumHitsPerBar(steady)).toBe(12);
      const withFills = score([track(0, [...bars(rockBar, 3), ...bars(fill, 1).map((n) => ({ ...n, onset: n.onset + 3 * 48 })), ...bars(rockBar, 3).map((n) => ({ ...n, onset: n.onset + 4 * 48 }))], true)]);
      expect(drumBarAgreement(withFills)).toBe(1);
    });

    it('scattered hits agree little, though MusPy\'s groove consistency calls them steady', () => {
      // One hit a bar on a different sixteenth each time.
      const scattered = score([track(0, Array.from({ length: 8 }, (_, b) => note(b * 48 + ((b * 5) % 16) * 3, 38, 3)), true)]);
      expect(drumBarAgreement(scattered)).toBe(0);
      expect(drumHitsPerBar(scattered)).toBe(1);
      expect(grooveConsistency(scattered)).toBeGreaterThan(0.95);
    });

    it('counts hits per 4/4 bar, snaps to sixteenths, and is NaN without drums', () => {
      const waltz = score([track(0, bars([note(0, 36, 3), note(12, 38, 3), note(24, 38, 3)], 4, 36), true)], 120, [3, 4]);
      expect(drumHitsPerBar(waltz)).toBe(4);
      // A hit one tick late lands on the same sixteenth.
      const late = score([track(0, [...bars(rockBar, 1), ...bars(rockBar, 1).map((n) => ({ ...n, onset: n.onset + 48 + (n.onset === 12 ? 1 : 0) }))], true)]);
      expect(drumBarAgreement(late)).toBe(1);
      const pianoOnly = score([track(0, bars([note(0, 60)], 4))]);
      expect(drumBarAgreement(pianoOnly)).toBeNaN();
      expect(drumHitsPerBar(pianoOnly)).toBeNaN();
    });
  });

  it('harmonic polyphony is measured only where a part usually plays chords', () => {
    const chords = [note(0, 60), note(0, 64), note(0, 67), note(12, 62), note(12, 65)];
    expect(harmonicPolyphony(score([track(0, chords)]))).toBe(2.5); // piano
    expect(harmonicPolyphony(score([track(48, chords)]))).toBe(2.5); // string ensemble
    expect(harmonicPolyphony(score([track(73, chords), track(33, [note(0, 36)])]))).toBeNaN(); // flute and bass
    expect(harmonicPolyphony(score([track(0, [], false), track(73, chords)]))).toBeNaN(); // a silent piano track
  });

  it('summaries use population std and interpolated percentiles, skipping NaN', () => {
    expect(summarize([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NaN])).toEqual({
      count: 11, mean: 5, std: Math.sqrt(10), p10: 1, p50: 5, p90: 9,
    });
  });
});

describe.skipIf(withoutData())('musicality on real songs', () => {
  const measured: Array<{ name: string; values: Musicality; score: Score }> = [];

  beforeAll(async () => {
    for (const archive of ['multitrack/freemidi.tar.gz', 'multitrack/vgmusic.tar.gz']) {
      for (const member of await sampleMidi(archive, 40)) {
        try {
          const song = readMidi(member.bytes);
          measured.push({ name: member.name, values: measureMusicality(song), score: song });
        } catch {
          // Unreadable files are the MIDI reader's business; a few per hundred are expected.
        }
      }
    }
  });

  const mean = (metric: keyof Musicality) => summarize(measured.map((m) => m.values[metric])).mean;

  it('reads most of the sample', () => {
    expect(measured.length).toBeGreaterThanOrEqual(70);
  });

  it('lands in the ranges real music has', () => {
    expect(mean('scaleConsistency')).toBeGreaterThan(0.8);
    expect(mean('pitchClassEntropy')).toBeGreaterThan(2);
    expect(mean('pitchClassEntropy')).toBeLessThan(3.4);
    expect(mean('grooveConsistency')).toBeGreaterThan(0.8);
    expect(mean('emptyBeatRate')).toBeLessThan(0.1);
    expect(mean('polyphony')).toBeGreaterThan(1.5);
    expect(mean('polyphony')).toBeLessThan(8);
    expect(mean('polyphonyRate')).toBeGreaterThan(0.3);
    expect(mean('compressionRatio')).toBeGreaterThan(1.3);
    for (const { values } of measured) {
      for (const metric of MUSICALITY_METRICS) {
        const value = values[metric];
        if (Number.isNaN(value)) continue;
        expect(value).toBeGreaterThanOrEqual(0);
        if (['scaleConsistency', 'grooveConsistency', 'emptyBeatRate', 'polyphonyRate'].includes(metric)) expect(value).toBeLessThanOrEqual(1);
      }
    }
  });

  it('scrambling the pitches of a real song destroys its repetition', () => {
    let lower = 0;
    for (const { score: song } of measured) {
      // A fixed derangement of the song's own pitches: same rhythm, same pitch set, repeats broken.
      const notes = song.tracks.filter((t) => !t.isDrum).flatMap((t) => t.notes);
      if (notes.length < 20) continue;
      const pitches = notes.map((n) => n.pitch);
      let index = 0;
      const scrambled: Score = {
        ...song,
        tracks: song.tracks.map((t) => ({
          ...t,
          notes: t.isDrum ? t.notes : t.notes.map((n) => ({ ...n, pitch: pitches[(index++ * 7919) % pitches.length] })),
        })),
      };
      if (compressionRatio(scrambled) < compressionRatio(song)) lower += 1;
    }
    expect(lower / measured.length).toBeGreaterThan(0.85);
  });
});

describe('reference values', () => {
  it.skipIf(withoutData())('samples evenly spread files per source', async () => {
    const reference = await measureReferenceMetrics(DATA_DIR, { perSource: 5, sources: ['riddim', 'freedoom'] });
    // riddim lists 184 files (every 36th), freedoom 111 (every 22nd): five readable ones each.
    expect(reference.sources.riddim?.files).toBe(5);
    expect(reference.sources.freedoom?.files).toBe(5);
    expect(reference.overall.files).toBe(10);
    expect(reference.overall.metrics.scaleConsistency.mean).toBeGreaterThan(0.8);
  });

  it('docs/metrics-reference.json holds every source and metric for the harness', () => {
    const file = new URL('../docs/metrics-reference.json', import.meta.url);
    expect(existsSync(file)).toBe(true);
    const reference = JSON.parse(readFileSync(file, 'utf8')) as ReferenceMetrics;
    expect(Object.keys(reference.sources)).toEqual(['freemidi', 'vgmusic', 'riddim', 'freedoom']);
    for (const source of [...Object.values(reference.sources), reference.overall]) {
      expect(Object.keys(source.metrics)).toEqual([...MUSICALITY_METRICS]);
      expect(source.files).toBeGreaterThan(100);
    }
    expect(reference.overall.metrics.scaleConsistency.mean).toBeGreaterThan(0.8);
  });
});
