/**
 * What restyling keeps and how the header is fitted around it, on the real fixture, without a model: the melody the
 * analysis finds, the part --keep names, the kept notes as tokens, and the transposition to a key the prompt asks for.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findMelodyTrack } from '../src/analysis/melody.ts';
import { PromptError } from '../src/inference/errors.ts';
import { resolveRequest } from '../src/inference/request.ts';
import { chooseKeptTrack, restylePlan } from '../src/inference/restyle.ts';
import { readMidi } from '../src/music/midi.ts';
import { RANGES, tokenType } from '../src/tokens/vocab.ts';

const FIXTURE = 'tests/fixtures/freedoom-d_map16.mid';
const DEFAULTS = { sampling: { temperature: 1, topK: 0, topP: 1, guidance: 1 }, maxTokens: 1000, timeoutMs: 1000, defaultMaxBars: 16 };

describe('restyle plan', () => {
  const score = readMidi(readFileSync(FIXTURE));

  it('the melody is the highest busy single line: the overdriven guitar, not the strings\' chords, the drums or the sparse lead', () => {
    // Tracks: 0 GM 28 (180 notes, mean pitch 60), 1 GM 29 (216, 63), 2 strings (90 chords, 45), 3 GM 90 (47, 63), 4 drums.
    expect(findMelodyTrack(score)).toBe(1);
    expect(chooseKeptTrack(score)).toBe(1);
  });

  it('--keep names a part by instrument or track name; a part the file lacks is a plain error', () => {
    expect(chooseKeptTrack(score, 'strings')).toBe(2);
    expect(chooseKeptTrack(score, 'Track 5')).toBe(3);
    expect(() => chooseKeptTrack(score, 'flute')).toThrow(PromptError);
    expect(() => chooseKeptTrack({ ...score, tracks: score.tracks.filter((track) => track.isDrum) })).toThrow(/no melody to keep/);
  });

  it('the kept notes are the part\'s tokens, grouped by onset; the header gets its instrument, meter and length', () => {
    const plan = restylePlan(score, resolveRequest({ prompt: 'for piano and bass' }, DEFAULTS));
    expect(plan.part.instrument).toBe(29);
    expect(plan.part.bars).toBe(40);
    expect(plan.part.notes).toBe(216);
    const pitches = plan.part.groups.flatMap((group) => group.tokens.filter((id) => tokenType(id) === 'pitch'));
    expect(pitches).toHaveLength(216);
    expect(plan.resolved.spec.instruments).toEqual([0, 29, 33]);
    expect(plan.resolved.spec.bars).toBe(40);
    // No tempo in the prompt: the file's.
    expect(plan.resolved.spec.bpm).toBe(90);
  });

  it('a key the prompt asks for moves the kept part by the interval between the keys (here D minor -> E minor: up 2)', () => {
    const same = restylePlan(score, resolveRequest({ prompt: 'for piano' }, DEFAULTS));
    const moved = restylePlan(score, resolveRequest({ prompt: 'for piano in E minor' }, DEFAULTS));
    expect(same.resolved.spec.key).toEqual({ tonic: 2, mode: 'minor' });
    expect(moved.kept.transposed).toBe(2);
    const pitchesOf = (plan: typeof same) => plan.part.groups.flatMap((group) => group.tokens.filter((id) => tokenType(id) === 'pitch').map((id) => id - RANGES.pitch.start));
    expect(pitchesOf(moved)).toEqual(pitchesOf(same).map((pitch) => pitch + 2));
  });
});
