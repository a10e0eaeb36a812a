import { describe, expect, it } from 'vitest';
import { GrammarState, isValid, validationError } from '../src/tokens/grammar.ts';
import { readMidi } from '../src/music/midi.ts';
import { encodeHeader, encodeScore } from '../src/tokens/tokenizer.ts';
import { BAR, BOS, EOS, RANGES, VOCAB_SIZE, tokenId, tokenType } from '../src/tokens/vocab.ts';
import { DRUMS } from '../src/music/score.ts';
import { fixtureMidi } from './helpers/data.ts';

function allowedTypes(state: GrammarState): Set<string> {
  const mask = state.allowed(new Uint8Array(VOCAB_SIZE));
  const types = new Set<string>();
  mask.forEach((on, id) => on && types.add(tokenType(id)));
  return types;
}

describe('grammar', () => {
  it('allows every token of real sequences, step by step', async () => {
    const members = await fixtureMidi('multitrack/freedoom.tar.gz', 5);
    const mask = new Uint8Array(VOCAB_SIZE);
    for (const member of members) {
      const ids = encodeScore(readMidi(member.bytes));
      const state = new GrammarState();
      for (const id of ids) {
        expect(state.allowed(mask)[id]).toBe(1);
        state.step(id);
      }
      expect(state.done).toBe(true);
    }
  });

  it('rejects broken sequences with the index of the first bad token', async () => {
    const [member] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const ids = encodeScore(readMidi(member.bytes));
    expect(validationError(ids.slice(0, -1))).toBe('the sequence ends before EOS');
    expect(validationError([...ids, BAR])).toMatch(/after EOS/);
    const swapped = [...ids];
    const firstBar = ids.indexOf(BAR);
    [swapped[firstBar], swapped[firstBar + 2]] = [swapped[firstBar + 2], swapped[firstBar]];
    expect(isValid(swapped)).toBe(false);
    expect(validationError([ids[0], ...ids.slice(2)])).toMatch(/^index 1:/);
  });

  it('lets only header instruments play, drums with drum tokens', () => {
    const state = new GrammarState();
    const header = encodeHeader({ timeSignature: [4, 4], bpm: 100, key: null, instruments: [33, DRUMS], bars: 2 });
    for (const id of header) state.step(id);
    state.step(BAR);
    state.step(tokenId('position', 0));
    const mask = state.allowed(new Uint8Array(VOCAB_SIZE));
    const instruments = [...mask.subarray(RANGES.instrument.start, RANGES.instrument.start + RANGES.instrument.size)]
      .flatMap((on, id) => (on ? [id] : []));
    expect(instruments).toEqual([33, DRUMS]);
    state.step(tokenId('instrument', DRUMS));
    expect(allowedTypes(state)).toEqual(new Set(['drum']));
    state.step(tokenId('drum', 36));
    // The first note of an instrument must state its velocity.
    expect(allowedTypes(state)).toEqual(new Set(['velocity']));
  });

  it('ends exactly at the header bar count and keeps positions inside the bar', () => {
    const state = new GrammarState();
    for (const id of encodeHeader({ timeSignature: [3, 4], bpm: 100, key: null, instruments: [0], bars: 2 })) state.step(id);
    state.step(BAR);
    const mask = state.allowed(new Uint8Array(VOCAB_SIZE));
    expect(mask[EOS]).toBe(0);
    // 3/4 holds three quarters: 24 of the 64 position tokens.
    expect(mask.subarray(RANGES.position.start, RANGES.position.start + RANGES.position.size).reduce((a, b) => a + b, 0)).toBe(24);
    state.step(BAR);
    const after = state.allowed(new Uint8Array(VOCAB_SIZE));
    expect(after[EOS]).toBe(1);
    expect(after[BAR]).toBe(0);
  });

  it('fills the mask in place without allocating a new one', () => {
    const state = new GrammarState();
    // Stale values from an earlier use must be cleared: at the start only BOS may come.
    const mask = new Uint8Array(VOCAB_SIZE).fill(1);
    expect(state.allowed(mask)).toBe(mask);
    expect([...mask.keys()].filter((id) => mask[id])).toEqual([BOS]);
  });
});
