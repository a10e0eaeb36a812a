import { describe, expect, it } from 'vitest';
import { assembled, assembledExampleCount, STYLE_CYCLE } from '../src/dataset/sources/assembled.ts';
import { clipBars, loadGrooveClips } from '../src/dataset/sources/groove-clips.ts';
import { cellStarts, chartTimeline, chartTitle, composerName, readJazzCharts } from '../src/dataset/sources/jazz-charts.ts';
import { arrangeChart, FEELS, jazzStandards } from '../src/dataset/sources/jazz-standards.ts';
import {
  arrangeProgression, moodEnergy, moodProgressions, progressionChords, progressionTimeline, readMoodProgressions,
} from '../src/dataset/sources/mood-progressions.ts';
import { drumStyleOf, tidalDrums } from '../src/dataset/sources/tidal-drums.ts';
import { readTidalPatterns } from '../src/dataset/sources/tidal-patterns.ts';
import type { SourceExample } from '../src/dataset/example.ts';
import { gridProblem } from '../src/dataset/arranging/arrangement.ts';
import { detectChords } from '../src/analysis/chords.ts';
import { isValid } from '../src/tokens/grammar.ts';
import { chordAt } from '../src/dataset/arranging/harmony.ts';
import { createRandom } from '../src/music/random.ts';
import { checkRoundTrip } from '../src/tokens/roundtrip.ts';
import { barsOf, DRUMS, instrumentOf, type Score } from '../src/music/score.ts';
import { encodeScore } from '../src/tokens/tokenizer.ts';
import { DATA_DIR, FIXTURES_DIR, readIfData, withoutData } from './helpers/data.ts';

const BASS_PROGRAMS = new Set([32, 33, 38, 39, 43]);
const LEADS = new Set([80, 81]);

async function take(source: AsyncIterable<SourceExample>): Promise<SourceExample[]> {
  const examples: SourceExample[] = [];
  for await (const example of source) examples.push(example);
  return examples;
}

/** What every generated score must satisfy: exact tokens, a grammar-valid sequence, parts in their registers. */
function expectSound(example: SourceExample): void {
  const { score } = example;
  const name = `${example.source} ${example.songId}`;
  expect(gridProblem(score), name).toBeUndefined();
  const report = checkRoundTrip(score);
  expect(report.differences, name).toEqual([]);
  expect(isValid(encodeScore(score)), name).toBe(true);
  expect(score.tempos).toHaveLength(1);
  const ids = score.tracks.map(instrumentOf);
  expect(new Set(ids).size, `${name}: one track per instrument`).toBe(ids.length);
  for (const track of score.tracks) {
    expect(track.notes.length, name).toBeGreaterThan(0);
    if (track.isDrum) continue;
    const pitches = track.notes.map((note) => note.pitch);
    const [low, high] = [Math.min(...pitches), Math.max(...pitches)];
    if (BASS_PROGRAMS.has(track.program)) {
      expect(low, `${name} bass`).toBeGreaterThanOrEqual(28);
      expect(high, `${name} bass`).toBeLessThanOrEqual(55);
    } else if (!LEADS.has(track.program)) {
      expect(low, `${name} chords`).toBeGreaterThanOrEqual(48);
      expect(high, `${name} chords`).toBeLessThanOrEqual(79);
    }
  }
  for (const word of [...example.labels.styles, ...example.labels.moods]) expect(word).toBe(word.toLowerCase());
}

/**
 * Share of chord notes sounding a minor ninth above the bass note under them, over several scores. Written b9s of
 * dominant chords count too, so the share is small but not zero.
 */
function minorNinthShare(scores: readonly Score[]): number {
  let pairs = 0;
  let clashes = 0;
  for (const score of scores) {
    const bass = score.tracks.find((track) => !track.isDrum && BASS_PROGRAMS.has(track.program));
    if (!bass) continue;
    for (const track of score.tracks) {
      if (track.isDrum || track === bass || LEADS.has(track.program)) continue;
      for (const note of track.notes) {
        const under = bass.notes.filter((b) => b.onset <= note.onset && b.onset + b.duration > note.onset).pop();
        if (!under) continue;
        pairs += 1;
        if ((note.pitch - under.pitch + 120) % 12 === 1) clashes += 1;
      }
    }
  }
  expect(pairs).toBeGreaterThan(100);
  return clashes / pairs;
}

describe.skipIf(withoutData())('jazz standards', async () => {
  const { charts, skipped, origin } = await readIfData(() => readJazzCharts(DATA_DIR));

  it('reads every chart of the file, every chord symbol in it', () => {
    expect(charts).toHaveLength(1382);
    expect([...skipped]).toEqual([]);
    expect(origin).toMatch(/JazzStandards/);
    const alone = charts.find((chart) => chart.title === 'Alone Together')!;
    expect(alone.composer).toBe('Arthur Schwartz');
    expect(alone.rhythm).toBe('Medium Swing');
    // A A(2 endings) B A: 14 + 14... the form played through has at least 4 sections of bars.
    expect(alone.bars.length).toBeGreaterThanOrEqual(40);
    const first = alone.bars[1];
    expect(first).toHaveLength(2); // "Em7b5,A7b9"
    expect(first[0]).toMatchObject({ root: 4, intervals: [0, 3, 6, 10] });
    expect(first[1]).toMatchObject({ root: 9, intervals: [0, 4, 7, 10, 13] });
  });

  it('tidies titles and composers and places cells on beats', () => {
    expect(chartTitle('Balance, The')).toBe('The Balance');
    expect(composerName('Antonio-Carlos Jobim')).toBe('Antonio Carlos Jobim');
    expect(cellStarts(2, [4, 4])).toEqual([0, 24]);
    expect(cellStarts(4, [4, 4])).toEqual([0, 12, 24, 36]);
    expect(cellStarts(2, [3, 4])).toEqual([0, 24]);
    expect(cellStarts(4, [5, 4])).toEqual([0, 24, 36, 48]);
  });

  it('holds chords over empty cells and drops the unused fourth cell of a 3/4 bar', () => {
    const chart = { title: 't', rhythm: 'Waltz', meter: [3, 4] as [number, number], bars: [[charts[0].bars[0][0], null, charts[0].bars[1][0], null]] };
    const spans = chartTimeline(chart);
    expect(spans.map((span) => [span.start, span.end])).toEqual([[0, 24], [24, 36]]);
  });

  it('arranges charts as a rhythm section in the feel\'s tempo, valid and round-tripping', async () => {
    const examples = await take(jazzStandards(DATA_DIR, { limit: 12, seed: 1 }));
    expect(examples).toHaveLength(12);
    for (const example of examples) {
      expectSound(example);
      expect(example.labels.genre).toBe('jazz');
      expect(example.labels.title).toBeTruthy();
      expect(example.labels.styles.length).toBeGreaterThan(0);
      expect(example.assembled).toBe(false);
      const chart = charts.find((c) => c.title === example.labels.title)!;
      const feel = FEELS[chart.rhythm];
      const bpm = example.score.tempos[0].bpm;
      expect(bpm).toBeGreaterThanOrEqual(feel.tempo[0]);
      expect(bpm).toBeLessThanOrEqual(feel.tempo[1]);
      const programs = example.score.tracks.filter((t) => !t.isDrum).map((t) => t.program);
      expect(programs.some((p) => [0, 4, 88, 89].includes(p))).toBe(true);
      expect(programs.some((p) => p === 32 || p === 33)).toBe(true);
    }
    expect(examples.some((example) => example.score.tracks.some((t) => t.isDrum))).toBe(true);
    expect(minorNinthShare(examples.map((e) => e.score))).toBeLessThan(0.015);
  });

  it('puts the chart\'s bass note on every chord change and voices only chord tones and tensions', () => {
    for (const chart of charts.slice(100, 130)) {
      const arranged = arrangeChart(chart, [], createRandom(5))!;
      const spans = chartTimeline(chart, 64);
      const bass = arranged.score.tracks.find((t) => t.program === 32 || t.program === 33)!;
      const comp = arranged.score.tracks.find((t) => [0, 4, 88, 89].includes(t.program))!;
      let covered = 0;
      for (const span of spans) {
        const note = bass.notes.find((n) => n.onset === span.start);
        if (note && note.pitch % 12 === span.chord.bass) covered += 1;
      }
      // Tumbao bass anticipates instead of landing on the change: the only feel allowed to miss.
      if (FEELS[chart.rhythm].bass !== 'tumbao') expect(covered / spans.length, chart.title).toBeGreaterThan(0.97);
      for (const note of comp.notes) {
        const span = chordAt(spans, note.onset + 4) ?? chordAt(spans, note.onset)!;
        const before = chordAt(spans, note.onset)!;
        // Any tone of the chord, the usual colour tensions, or a pushed next chord.
        const allowed = [span, before].flatMap((s) => [...s.chord.intervals, 14, 17, 21].map((i) => (s.chord.root + i) % 12));
        const next = chordAt(spans, Math.ceil((note.onset + 1) / barsOf(arranged.score, 0)[0].ticks) * barsOf(arranged.score, 0)[0].ticks);
        if (next) allowed.push(...[...next.chord.intervals, 14, 17, 21].map((i) => (next.chord.root + i) % 12), next.chord.bass);
        expect(allowed, `${chart.title} at ${note.onset}`).toContain(note.pitch % 12);
      }
    }
  });

  it('is the same for the same seed and differs for another', async () => {
    const first = await take(jazzStandards(DATA_DIR, { limit: 3, seed: 4 }));
    const again = await take(jazzStandards(DATA_DIR, { limit: 3, seed: 4 }));
    const other = await take(jazzStandards(DATA_DIR, { limit: 3, seed: 5 }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(first));
  });
});

describe('mood progressions', async () => {
  const { progressions, unsupported, origin } = await readMoodProgressions(FIXTURES_DIR);

  it('reads all 190 progressions, every numeral, with lower-case moods and no structural tags', () => {
    expect(progressions).toHaveLength(190);
    expect([...unsupported]).toEqual([]);
    expect(origin).toMatch(/free-midi-chords/);
    const moods = new Set(progressions.flatMap((p) => p.moods));
    expect(moods.has('nostalgic')).toBe(true);
    expect(moods.has('new')).toBe(false);
    expect(moods.has('cadence')).toBe(false);
    expect(moodEnergy(['sad', 'lonely'])).toBe(-1);
    expect(moodEnergy(['joyful', 'triumphant'])).toBe(1);
  });

  it('plays each chord a bar, holding the last of an odd count for two, to at least eight bars', () => {
    const three = progressions.find((p) => p.numerals.length === 3)!;
    const spans = progressionTimeline(progressionChords(three, 0)!, 48);
    expect(spans.map((s) => (s.end - s.start) / 48)).toEqual([1, 1, 2, 1, 1, 2]);
  });

  it('sounds the chords it means: the chord detector finds their roots', () => {
    let agree = 0;
    let total = 0;
    for (const progression of progressions.slice(0, 60)) {
      const score = arrangeProgression(progression, 7, createRandom(progression.index))!;
      const spans = progressionTimeline(progressionChords(progression, 7)!, 48);
      for (const detected of detectChords(score, 'half-bar')) {
        const span = chordAt(spans, detected.tick);
        if (!span) continue;
        total += 1;
        if (detected.root === span.chord.root) agree += 1;
      }
    }
    expect(total).toBeGreaterThan(200);
    expect(agree / total).toBeGreaterThan(0.85);
  });

  it('realises progressions in several keys, valid, with their moods', async () => {
    const examples = await take(moodProgressions(FIXTURES_DIR, { limit: 24, seed: 1 }));
    expect(examples).toHaveLength(24);
    const perProgression = new Map<string, number>();
    for (const example of examples) {
      expectSound(example);
      perProgression.set(example.songId, (perProgression.get(example.songId) ?? 0) + 1);
      expect(example.labels.moods.length).toBeGreaterThan(0);
      const bpm = example.score.tempos[0].bpm;
      expect(bpm).toBeGreaterThanOrEqual(60);
      expect(bpm).toBeLessThanOrEqual(140);
      expect(barsOf(example.score, 0).length).toBeGreaterThanOrEqual(1);
    }
    expect(minorNinthShare(examples.map((e) => e.score))).toBeLessThan(0.01);
    // All but the last progression (cut by the limit) come in 2-4 takes.
    const counts = [...perProgression.values()].slice(0, -1);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(2);
    for (const count of counts) expect(count).toBeLessThanOrEqual(4);
    const again = await take(moodProgressions(FIXTURES_DIR, { limit: 24, seed: 1 }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(examples));
  });
});

describe.skipIf(withoutData())('tidal drum patterns', async () => {
  const { patterns, skipped, origin } = await readIfData(() => readTidalPatterns(DATA_DIR));

  it('reads the grooves and says why the rest are left out', () => {
    expect(origin).toMatch(/tidal-drum-patterns/);
    const left = [...skipped.values()].flat();
    expect(patterns.length + left.length).toBe(492);
    expect(left.sort()).toEqual(expect.arrayContaining(['DubstepRatcheted', 'Poly1a', 'Trap1b', 'Drumroll1', 'End1a']));
    expect(left.length).toBe(24);
    const swing = patterns.find((p) => p.name === 'Swing1a')!;
    expect(swing).toMatchObject({ steps: 12, stepTicks: 4, bars: 1 });
    const amen = patterns.find((p) => p.name === 'AmenBrother')!;
    expect(amen.bars).toBe(4);
    expect(Math.round(amen.bpm!)).toBe(136);
  });

  it('takes styles and tempi from the names', () => {
    expect(drumStyleOf('DeepHouse')).toMatchObject({ styles: ['house'], tempo: [120, 128] });
    expect(drumStyleOf('Dnb4a').styles).toEqual(['drum and bass']);
    expect(drumStyleOf('Trap1a')).toMatchObject({ styles: ['trap'], tempo: [130, 150] });
    expect(drumStyleOf('FunkyDrummer').styles).toEqual(['funk']);
    expect(drumStyleOf('RockSteady').styles).toEqual(['ska']);
    expect(drumStyleOf('Reggaeton').styles).toEqual(['reggaeton']);
    expect(drumStyleOf('Pattern17').styles).toEqual([]);
  });

  it('turns patterns into 4-8 bars of drums with accents', async () => {
    const examples = await take(tidalDrums(DATA_DIR, { limit: 40, seed: 1 }));
    expect(examples).toHaveLength(40);
    for (const example of examples) {
      expectSound(example);
      expect(example.score.tracks.map(instrumentOf)).toEqual([DRUMS]);
      const bars = barsOf(example.score, Math.max(...example.score.tracks[0].notes.map((n) => n.onset + 1))).length;
      expect(bars).toBeGreaterThanOrEqual(4);
      expect(bars).toBeLessThanOrEqual(8);
      const velocities = new Set(example.score.tracks[0].notes.map((n) => n.velocity));
      expect(velocities.size).toBeGreaterThan(3);
    }
    const afro = examples.find((e) => e.songId === 'tidal-drums/Afro1')!;
    expect(afro.labels.styles).toEqual(['afro']);
    const bpm = afro.score.tempos[0].bpm;
    expect(bpm).toBeGreaterThanOrEqual(100);
    expect(bpm).toBeLessThanOrEqual(125);
  });
});

describe('groove clips', () => {
  it('cuts a performance into whole bars from its first downbeat', () => {
    const bars = barsOf({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }] }, 48 * 5);
    const hit = (onset: number) => ({ onset, duration: 2, pitch: 42, velocity: 80 });
    const notes = [hit(40), ...[48, 60, 72, 84, 96, 108, 120, 132, 144, 156, 168, 180, 192, 204].map(hit)];
    const clip = clipBars(notes, bars);
    expect(clip).toHaveLength(3); // bars 2-4: bar 1 has only a pickup, bar 5 is the ragged end
    expect(clip[0].map((n) => n.onset)).toEqual([0, 12, 24, 36]);
  });

  it.skipIf(withoutData())('loads hip-hop beats on General MIDI keys', async () => {
    const clips = await loadGrooveClips(DATA_DIR, (row) => row.style === 'hiphop');
    expect(clips.length).toBeGreaterThan(20);
    for (const clip of clips) {
      expect(clip.bars.length).toBeGreaterThanOrEqual(2);
      for (const bar of clip.bars) for (const note of bar) expect([22, 26, 58, 40, 55, 59, 52]).not.toContain(note.pitch);
    }
  });
});

describe('assembled arrangements', () => {
  it.skipIf(withoutData())('interleaves lo-fi and electronic styles, marked assembled, valid and in their tempi', async () => {
    const examples = await take(assembled(DATA_DIR, { limit: 12, seed: 1 }));
    expect(examples).toHaveLength(12);
    const styles = new Set(examples.map((e) => e.labels.styles[0]));
    for (const style of STYLE_CYCLE) expect(styles.has(style)).toBe(true);
    for (const example of examples) {
      expectSound(example);
      expect(example.assembled).toBe(true);
      const bpm = example.score.tempos[0].bpm;
      const ids = example.score.tracks.map(instrumentOf);
      expect(ids).toContain(DRUMS);
      switch (example.labels.styles[0]) {
        case 'lo-fi':
          expect(bpm).toBeGreaterThanOrEqual(70);
          expect(bpm).toBeLessThanOrEqual(90);
          expect(ids).toContain(4);
          expect(example.origin).toMatch(/Groove MIDI/);
          expect(example.songId).toMatch(/^groove\/drummer\d+\//);
          // Mellow: the electric piano stays soft.
          expect(Math.max(...example.score.tracks.find((t) => t.program === 4)!.notes.map((n) => n.velocity))).toBeLessThan(70);
          break;
        case 'house':
          expect(bpm).toBeGreaterThanOrEqual(120);
          expect(bpm).toBeLessThanOrEqual(128);
          break;
        case 'techno':
          expect(bpm).toBeGreaterThanOrEqual(125);
          expect(bpm).toBeLessThanOrEqual(135);
          break;
        case 'trap':
          expect(bpm).toBeGreaterThanOrEqual(130);
          expect(bpm).toBeLessThanOrEqual(150);
          break;
        case 'drum and bass':
          expect(bpm).toBeGreaterThanOrEqual(160);
          expect(bpm).toBeLessThanOrEqual(178);
          break;
        default:
          throw new Error(`unexpected style ${example.labels.styles[0]}`);
      }
      if (example.labels.styles[0] !== 'lo-fi') {
        expect(ids.some((id) => id === 38 || id === 39)).toBe(true);
        expect(ids.some((id) => id >= 88 && id <= 95)).toBe(true);
        expect(example.labels.moods.length).toBeGreaterThan(0);
      }
    }
    expect(minorNinthShare(examples.map((e) => e.score))).toBeLessThan(0.02);
    const again = await take(assembled(DATA_DIR, { limit: 12, seed: 1 }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(examples));
  });

  it('counts how many assembled examples keep them under a share of the tokens', () => {
    // A third of all tokens: assembled may reach half the real tokens.
    expect(assembledExampleCount(3_000_000, 1 / 3, 1000)).toBe(1500);
    expect(assembledExampleCount(3_000_000, 0.2, 1000)).toBe(750);
    expect(assembledExampleCount(0, 0.2)).toBe(0);
    expect(assembledExampleCount(1000, 1)).toBe(0);
  });
});
