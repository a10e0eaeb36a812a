/**
 * KeptPartProcessor against the grammar, without a model: a generation fed random logits (every choice the grammar
 * and the other processors leave is possible) must still end with the kept part note for note, for many seeds, on a
 * real file's part with single notes, chords and a meter change. A processor that let the model skip a note, write
 * the kept instrument elsewhere, or corner itself (no token left) fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Generation } from '../src/inference/generation.ts';
import { resolveRequest } from '../src/inference/request.ts';
import { restylePlan } from '../src/inference/restyle.ts';
import { readMidi } from '../src/music/midi.ts';
import { mulberry32 } from '../src/music/random.ts';
import { instrumentOf, type Score } from '../src/music/score.ts';
import { decodeScore, encodeScore } from '../src/tokens/tokenizer.ts';
import { VOCAB_SIZE } from '../src/tokens/vocab.ts';

const FIXTURE = 'tests/fixtures/freedoom-d_map16.mid';
const DEFAULTS = { sampling: { temperature: 1, topK: 0, topP: 1, guidance: 1 }, maxTokens: 4000, timeoutMs: 60_000, defaultMaxBars: 16 };

/** Bars `first`..`first + bars - 1` (0-based, 4/4) of the fixture, moved to the start; a 3/4 bar after the first two. */
function excerpt(first: number, bars: number): Score {
  const score = readMidi(readFileSync(FIXTURE));
  const start = first * 48;
  const end = start + bars * 48;
  return {
    ...score,
    // 4/4, 4/4, then 3/4 from bar 3: the kept part's positions must be counted in the changed meter.
    timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }, { tick: 96, numerator: 3, denominator: 4 }],
    tracks: score.tracks.map((track) => ({
      ...track,
      notes: track.notes.filter((note) => note.onset >= start && note.onset < end)
        .map((note) => ({ ...note, onset: note.onset - start, duration: Math.min(note.duration, end - note.onset) })),
    })).filter((track) => track.notes.length > 0),
  };
}

function notesOf(score: Score, instrument: number): string[] {
  return score.tracks.filter((track) => instrumentOf(track) === instrument).flatMap((track) => track.notes)
    .map((note) => `${note.onset} ${note.pitch} ${note.duration}`).sort();
}

/** Runs a generation to the end on random logits. */
function generate(score: Score, prompt: string, seed: number, keep?: string) {
  const plan = restylePlan(score, resolveRequest({ prompt, seed }, DEFAULTS), keep);
  const generation = new Generation({
    textIds: [1], spec: plan.resolved.spec, mustPlay: plan.resolved.mustPlay, forced: [], seed, sampling: DEFAULTS.sampling,
    maxNewTokens: plan.resolved.maxTokens, deadline: Date.now() + 60_000, contextLimit: 100_000, keptPart: plan.part,
  }, VOCAB_SIZE);
  const random = mulberry32(seed * 7919 + 1);
  const logits = new Float32Array(VOCAB_SIZE);
  while (generation.decide() === 'feed') {
    for (let id = 0; id < VOCAB_SIZE; id++) logits[id] = random() * 4;
    generation.choose(logits);
    generation.consumed(generation.pending.length);
  }
  return { plan, generation };
}

describe('KeptPartProcessor on random logits', () => {
  const score = excerpt(8, 6);

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: the melody comes back note for note in the file\'s meters, and the model wrote other notes', (seed) => {
    const { plan, generation } = generate(score, 'jazz with piano, bass and drums', seed);
    expect(generation.finish).toBe('eos');
    const output = decodeScore(generation.result());
    const kept = plan.part.instrument;
    const expected = notesOf(decodeScore(encodeScore({ ...score, tracks: [score.tracks[plan.kept.index]] }, { bars: plan.part.bars })), kept);
    expect(expected.length).toBeGreaterThan(30);
    expect(notesOf(output, kept)).toEqual(expected);
    expect(output.timeSignatures.map((meter) => [meter.tick, meter.numerator, meter.denominator])).toEqual([[0, 4, 4], [96, 3, 4]]);
    expect(output.tracks.some((track) => instrumentOf(track) !== kept && track.notes.length > 0)).toBe(true);
  });

  it('chords kept with --keep: every note of each chord, in order', () => {
    const { plan, generation } = generate(score, 'for piano', 11, 'strings');
    expect(plan.part.instrument).toBe(48);
    const output = decodeScore(generation.result());
    const expected = notesOf(decodeScore(encodeScore({ ...score, tracks: [score.tracks[plan.kept.index]] }, { bars: plan.part.bars })), 48);
    expect(notesOf(output, 48)).toEqual(expected);
  });
});
