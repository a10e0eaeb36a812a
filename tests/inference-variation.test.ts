import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MotifEngine, type Composition } from '../src/inference/engine.ts';
import { PromptError } from '../src/inference/errors.ts';
import { noteEvents, scoreSimilarity, similarity } from '../src/inference/similarity.ts';
import { applyChange, changeMode, parseChange, variationScore } from '../src/inference/variation.ts';
import { validationError } from '../src/tokens/grammar.ts';
import { detectKey } from '../src/analysis/key-detection.ts';
import { readMidi } from '../src/music/midi.ts';
import { DRUMS, barsOf, instrumentOf, sliceBars, type Score } from '../src/music/score.ts';
import { encodeScore, type ScoreHeader } from '../src/tokens/tokenizer.ts';
import { fixtureMidi } from './helpers/data.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

const header: ScoreHeader = { timeSignature: [4, 4], bpm: 100, key: { tonic: 0, mode: 'major' }, instruments: [0, 33, DRUMS], bars: 8 };

describe('reading an instruction as a change', () => {
  it('reads tempo, key, meter, instruments, drums, energy and length relative to the parent', () => {
    expect(applyChange(header, parseChange('faster')).bpm).toBe(120);
    expect(applyChange(header, parseChange('a bit slower')).bpm).toBe(91);
    expect(applyChange(header, parseChange('+20 bpm')).bpm).toBe(120);
    expect(applyChange(header, parseChange('-15 BPM please')).bpm).toBe(85);
    expect(applyChange(header, parseChange('at 140 bpm')).bpm).toBe(140);
    expect(applyChange(header, parseChange('more energetic')).bpm).toBe(110);
    expect(applyChange(header, parseChange('calmer')).bpm).toBe(91);
    expect(applyChange(header, parseChange('in E minor')).key).toEqual({ tonic: 4, mode: 'minor' });
    expect(applyChange(header, parseChange('make it minor')).key).toEqual({ tonic: 0, mode: 'minor' });
    expect(applyChange(header, parseChange('up 2 semitones')).key).toEqual({ tonic: 2, mode: 'major' });
    expect(applyChange(header, parseChange('as a waltz')).timeSignature).toEqual([3, 4]);
    expect(applyChange(header, parseChange('add violin, no drums')).instruments).toEqual([0, 33, 40]);
    expect(applyChange(header, parseChange('replace the piano with a flute')).instruments).toEqual([33, 73, DRUMS]);
    expect(applyChange(header, parseChange('drop the bass and the drums')).instruments).toEqual([0]);
    expect(applyChange(header, parseChange('organ instead of piano')).instruments).toEqual([16, 33, DRUMS]);
    expect(applyChange(header, parseChange('only cello')).instruments).toEqual([42]);
    expect(applyChange(header, parseChange('longer')).bars).toBe(12);
    expect(applyChange(header, parseChange('make it 5 bars')).bars).toBe(5);
    // "beat" in an instruction is rhythm, not a request for drums.
    expect(parseChange('a faster beat').drums).toBeUndefined();
    const free = parseChange('something dreamier');
    expect(applyChange(header, free)).toEqual(header);
    expect(free.understood).toEqual([]);
  });

  it('refuses a change that leaves nothing to play or an impossible value', () => {
    expect(() => applyChange(header, parseChange('no piano, no bass, no drums'))).toThrow(PromptError);
    expect(() => parseChange('at 500 bpm')).toThrow(PromptError);
  });

  it('moves pitches between parallel modes by the 3rd, 6th and 7th only', () => {
    const cMajor = [60, 62, 64, 65, 67, 69, 71];
    expect(cMajor.map((p) => changeMode(p, 0, 'major', 'minor'))).toEqual([60, 62, 63, 65, 67, 68, 70]);
    expect([60, 62, 63, 65, 67, 68, 70].map((p) => changeMode(p, 0, 'minor', 'major'))).toEqual(cMajor);
  });
});

describe('the parent\'s opening rewritten for a variation', () => {
  let score: Score;
  let parent: { tokens: number[]; header: ScoreHeader };
  beforeAll(async () => {
    const members = await fixtureMidi('multitrack/freedoom.tar.gz', 6);
    score = members.map((m) => readMidi(m.bytes)).find((s) => s.tracks.some((t) => t.isDrum) && s.tracks.length >= 3)!;
    const tokens = encodeScore(score, { bars: 8 });
    const key = detectKey(score).key;
    parent = { tokens, header: { timeSignature: [4, 4], bpm: 120, key, instruments: [], bars: 8 } };
    parent.header = (await import('../src/tokens/tokenizer.ts')).decodeHeader(tokens);
  });

  it('transposes pitched notes by the key change, keeps drums, and keeps the rhythm', () => {
    const change = parseChange('up 3 semitones');
    const target = applyChange(parent.header, change);
    const moved = variationScore(parent, target, 2, change);
    const original = sliceBars(score, 0, 2);
    const pitched = (s: Score) => s.tracks.filter((t) => !t.isDrum).flatMap((t) => t.notes.map((n) => n.pitch));
    expect(pitched(moved)).toEqual(pitched(original).map((p) => p + 3));
    const drums = (s: Score) => s.tracks.filter((t) => t.isDrum).flatMap((t) => t.notes.map((n) => `${n.onset}:${n.pitch}`));
    expect(drums(moved)).toEqual(drums(original));
    const sim = scoreSimilarity(original, parent.header.key?.tonic ?? 0, moved, target.key?.tonic ?? 0);
    expect(sim.pitchClass).toBeCloseTo(1, 6);
    expect(sim.rhythm).toBeCloseTo(1, 6);
  });

  it('drops the instruments the change removes and re-bars into a new meter', () => {
    const change = parseChange('no drums, in 3/4');
    const target = applyChange(parent.header, change);
    const rebarred = variationScore(parent, target, 2, change);
    expect(rebarred.tracks.some((t) => t.isDrum)).toBe(false);
    expect(rebarred.timeSignatures).toEqual([{ tick: 0, numerator: 3, denominator: 4 }]);
    const bars = barsOf(rebarred, 0, 2);
    for (const track of rebarred.tracks) for (const note of track.notes) expect(note.onset).toBeLessThan(bars[1].start + bars[1].ticks);
  });

  it('scores a piece against itself as 1 and against an unrelated piece lower', async () => {
    const members = await fixtureMidi('parts/pop909.tar.gz', 2);
    const [a, b] = members.map((m) => readMidi(m.bytes));
    const self = scoreSimilarity(score, 0, score, 0);
    expect(self.overall).toBeCloseTo(1, 6);
    expect(self.shared).toBe(1);
    // Two pop songs share tonal and rhythmic habits, but few notes at the same places.
    const pop = scoreSimilarity(a, detectKey(a).key?.tonic ?? 0, b, detectKey(b).key?.tonic ?? 0);
    expect(pop.pitchClass).toBeGreaterThan(0.5);
    expect(pop.shared).toBeLessThan(0.5);
    const unrelated = scoreSimilarity(score, 0, a, 0);
    expect(unrelated.overall).toBeLessThan(0.8);
  });
});

describe.skipIf(withoutModel())('vary and extend with the model', () => {
  let engine: MotifEngine;
  let parent: Composition;
  beforeAll(async () => {
    engine = await MotifEngine.load({
      modelDir: MODEL_DIR, device: 'cpu', threads: 1, maxBatch: 8, maxTokens: 4096, requestTimeoutMs: 60_000,
      sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 3 }, defaultMaxBars: 16,
    });
    parent = await engine.compose({ prompt: 'piano and bass in C major at 100 bpm with drums, 8 bars', seed: 5 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const opening = (piece: Composition, bars: number) => sliceBars(piece.score, 0, bars);

  it('keeps the parent\'s opening bars and applies a tempo change', async () => {
    const faster = await engine.vary(parent, 'faster');
    expect(validationError(faster.tokens)).toBeUndefined();
    expect(faster.header).toEqual({ ...parent.header, bpm: 120 });
    expect(faster.keptBars).toBe(2);
    expect(opening(faster, 2).tracks).toEqual(opening(parent, 2).tracks);
    expect(faster.checks).toEqual([expect.objectContaining({ aspect: 'tempo', holds: true })]);
    // At least the kept bars' events recur; an unrelated piece shares fewer.
    const parentEvents = noteEvents(parent.score, 0).size;
    const keptEvents = noteEvents(opening(parent, 2), 0).size;
    expect(faster.similarity.shared).toBeGreaterThanOrEqual(keptEvents / parentEvents);
    const unrelated = await engine.compose({ prompt: 'a harp solo in 3/4', seed: 9 });
    expect(similarity(parent, unrelated).shared).toBeLessThan(faster.similarity.shared);
    expect((await engine.vary(parent, 'faster')).tokens).toEqual(faster.tokens);
    expect((await engine.vary(parent, 'faster', { seed: 99 })).tokens).not.toEqual(faster.tokens);
  });

  it('transposes the kept opening into a new key', async () => {
    const minor = await engine.vary(parent, 'in E minor');
    expect(minor.header.key).toEqual({ tonic: 4, mode: 'minor' });
    const expected = variationScore(parent, minor.header, 2, minor.change);
    expect(opening(minor, 2).tracks).toEqual(expected.tracks);
    expect(minor.checks.every((check) => check.holds)).toBe(true);
  });

  it('adds and drops instruments: the new one plays, the dropped ones are silent from the first bar', async () => {
    const changed = await engine.vary(parent, 'add violin, no drums');
    expect(changed.header.instruments).toEqual([0, 33, 40]);
    expect(changed.score.tracks.map(instrumentOf)).not.toContain(DRUMS);
    expect(changed.score.tracks.map(instrumentOf)).toContain(40);
    expect(changed.checks.map((check) => [check.aspect, check.holds])).toEqual([['instrument', true], ['drums', true]]);
    const parentPitched = opening(parent, 2).tracks.filter((t) => !t.isDrum);
    expect(opening(changed, 2).tracks.filter((t) => instrumentOf(t) !== 40)).toEqual(parentPitched);
  });

  it('makes a piece longer, and refuses an empty instruction', async () => {
    const longer = await engine.vary(parent, 'longer');
    expect(longer.header.bars).toBe(12);
    expect(longer.tokens.filter((id) => id === 3)).toHaveLength(12);
    await expect(engine.vary(parent, '  ')).rejects.toBeInstanceOf(PromptError);
  });

  it('extends a piece past its end, keeping every parent bar', async () => {
    const extended = await engine.extend(parent, 4);
    expect(validationError(extended.tokens)).toBeUndefined();
    expect(extended.header).toEqual({ ...parent.header, bars: 12 });
    expect(opening(extended, 8).tracks).toEqual(opening(parent, 8).tracks);
    // The parent's tokens up to its EOS, then a BAR that opens the first new bar: all forced, not counted as written.
    expect(extended.timings.tokens).toBe(extended.tokens.length - parent.tokens.length);
    expect(similarity(parent, extended).shared).toBe(1);
    expect(similarity(parent, extended).overall).toBeGreaterThan(0.8);
    await expect(engine.extend({ ...parent, header: { ...parent.header, bars: 64 } }, 2)).rejects.toThrow(/already has 64 bars/);
  });
});
