/**
 * The logits processors one by one, on hand-made logits over the real vocabulary, with the real grammar stepped
 * through real token sequences: what each lets through, what it adds, and the order the generation runs them in.
 */
import { describe, expect, it } from 'vitest';
import { decodingChain, type GenerationPlan } from '../src/inference/generation.ts';
import { GrammarMaskProcessor } from '../src/inference/grammar-mask.ts';
import { GuidanceProcessor } from '../src/inference/guidance.ts';
import { HeaderSpecProcessor, type HeaderSpec } from '../src/inference/header-spec.ts';
import { KeyPriorProcessor } from '../src/inference/key-prior.ts';
import type { DecodingState, LogitsProcessor } from '../src/inference/logits-processor.ts';
import { MUST_PLAY_BIAS, MustPlayProcessor } from '../src/inference/must-play.ts';
import { keyIndex } from '../src/music/keys.ts';
import { DRUMS } from '../src/music/score.ts';
import { GrammarState } from '../src/tokens/grammar.ts';
import { tempoTokens } from '../src/tokens/tokenizer.ts';
import { BAR, BOS, EOS, KEY_NONE, RANGES, VOCAB_SIZE, tokenId, tokenName, tokenType } from '../src/tokens/vocab.ts';

const FOUR_FOUR = tokenId('timeSignature', 2);
const D_MINOR = tokenId('key', keyIndex({ tonic: 2, mode: 'minor' }));
const inst = (id: number) => tokenId('instrument', id);
const pos = (slot: number) => tokenId('position', slot);
const note = (instrument: number, pitch: number) => [inst(instrument), tokenId('pitch', pitch), tokenId('velocity', 8), tokenId('duration', 7)];
/** BOS 4/4 90 BPM D minor, piano and violin, `bars` bars. */
const header = (bars: number, instruments = [0, 40]) => [BOS, FOUR_FOUR, ...tempoTokens(90), D_MINOR, ...instruments.map(inst), tokenId('bars', bars - 1)];
const base: HeaderSpec = { barsRange: [4, 16], maxInstruments: 6 };

/** The state a generation would give its processors after `tokens`, with `allowed` as the grammar leaves it. */
function stateAfter(tokens: number[], unconditional?: Float32Array): DecodingState {
  const grammar = new GrammarState();
  for (const id of tokens) grammar.step(id);
  const bars = tokens.findIndex((id) => tokenType(id) === 'bars');
  return { tokens, headerEnd: bars < 0 ? 0 : bars + 1, grammar, allowed: grammar.allowed(new Uint8Array(VOCAB_SIZE)), unconditional };
}

/** Runs every restrict of `processors` in order, as the generation does before calling the model. */
function restrict(processors: LogitsProcessor[], state: DecodingState): void {
  for (const processor of processors) processor.restrict?.(state.allowed, state);
}

const allowedNames = (state: DecodingState) => [...state.allowed.keys()].filter((id) => state.allowed[id]).map(tokenName);
const zeros = () => new Float32Array(VOCAB_SIZE);
/** Ids whose logit is not 0 after a processor ran on zeros, with their values. */
const changed = (logits: Float32Array) => new Map([...logits.entries()].filter(([, value]) => value !== 0));

describe('the grammar mask', () => {
  it('starts the allowed set afresh from the grammar, whatever the buffer held', () => {
    const state = stateAfter([...header(2), BAR, pos(0)]);
    state.allowed.fill(1);
    new GrammarMaskProcessor().restrict(state.allowed, state);
    // After a position: a tempo change or one of the header's instruments.
    const expected = [...Array.from({ length: RANGES.tempoTens.size }, (_, i) => tokenName(RANGES.tempoTens.start + i)), 'INST_0', 'INST_40'];
    expect(allowedNames(state)).toEqual(expected);
  });

  it('gives every token outside the allowed set -Infinity and leaves the rest as they are', () => {
    const state = stateAfter([...header(2), BAR, pos(0), inst(40)]);
    const logits = Float32Array.from({ length: VOCAB_SIZE }, (_, id) => id / 100);
    new GrammarMaskProcessor().process(logits, state);
    for (let id = 0; id < VOCAB_SIZE; id++) {
      if (tokenType(id) === 'pitch') expect(logits[id]).toBe(Math.fround(id / 100));
      else expect(logits[id]).toBe(-Infinity);
    }
  });

  it('applies what the processors after it ruled out', () => {
    const mask = new GrammarMaskProcessor();
    const state = stateAfter([...header(2), BAR, pos(0)]);
    restrict([mask, new HeaderSpecProcessor({ ...base, bpm: 90 })], state);
    const logits = zeros();
    mask.process(logits, state);
    expect([...logits.keys()].filter((id) => logits[id] === 0).map(tokenName)).toEqual(['INST_0', 'INST_40']);
  });
});

describe('the header spec', () => {
  it('forces the header slots the request states', () => {
    const processors = [new GrammarMaskProcessor(), new HeaderSpecProcessor({ ...base, bpm: 97 })];
    const state = stateAfter([BOS, FOUR_FOUR]);
    restrict(processors, state);
    expect(allowedNames(state)).toEqual(['TEMPO_TENS_9']);
  });

  it('rules out tempo and meter changes in the body when the request states them, and only then', () => {
    const stated = [new GrammarMaskProcessor(), new HeaderSpecProcessor({ ...base, bpm: 90, timeSignature: [4, 4] })];
    const open = [new GrammarMaskProcessor(), new HeaderSpecProcessor(base)];
    const atBar = [...header(2), BAR];
    const barState = stateAfter(atBar);
    restrict(stated, barState);
    expect(allowedNames(barState).filter((name) => name.startsWith('TS_'))).toEqual([]);
    expect(allowedNames(barState)).toContain('POS_0');
    const positionState = stateAfter([...atBar, pos(0)]);
    restrict(stated, positionState);
    expect(allowedNames(positionState)).toEqual(['INST_0', 'INST_40']);
    const freeState = stateAfter([...atBar, pos(0)]);
    restrict(open, freeState);
    expect(allowedNames(freeState)).toContain('TEMPO_TENS_9');
  });
});

describe('must-play', () => {
  it('nudges each named instrument in the body until it has played, following the tokens it was not called for', () => {
    const processor = new MustPlayProcessor([0, 40]);
    const inHeader = zeros();
    processor.process(inHeader, stateAfter(header(2).slice(0, -1)));
    expect(changed(inHeader).size).toBe(0);
    const tokens = [...header(2), BAR, pos(0)];
    const first = zeros();
    processor.process(first, stateAfter(tokens));
    expect(changed(first)).toEqual(new Map([[inst(0), MUST_PLAY_BIAS], [inst(40), MUST_PLAY_BIAS]]));
    // The piano plays in tokens the processor never saw a step for (forced, or the grammar's only choice).
    tokens.push(...note(0, 60), pos(8));
    const later = zeros();
    processor.process(later, stateAfter(tokens));
    expect(changed(later)).toEqual(new Map([[inst(40), MUST_PLAY_BIAS]]));
  });

  it('holds nothing open for a named instrument the header leaves out', () => {
    const processor = new MustPlayProcessor([0, DRUMS]);
    const logits = zeros();
    processor.process(logits, stateAfter([...header(2, [0]), BAR, pos(0)]));
    expect(changed(logits)).toEqual(new Map([[inst(0), MUST_PLAY_BIAS]]));
  });

  it('keeps room in the last bar: at its last position the silent instrument comes first, and the end waits for it', () => {
    const lastPosition = pos(31); // 4/4: 4 quarters of 8 slots
    const processors = () => [new GrammarMaskProcessor(), new MustPlayProcessor([0, 40])];
    const late = stateAfter([...header(1), BAR, lastPosition]);
    restrict(processors(), late);
    expect(allowedNames(late).filter((name) => name.startsWith('INST_'))).toEqual(['INST_0']);
    const pianoPlayed = stateAfter([...header(1), BAR, lastPosition, ...note(0, 60)]);
    expect(pianoPlayed.allowed[EOS]).toBe(1);
    restrict(processors(), pianoPlayed);
    expect(pianoPlayed.allowed[EOS]).toBe(0);
    expect(pianoPlayed.allowed[inst(40)]).toBe(1);
    // Mid-bar there is still room later: nothing is ruled out.
    const early = stateAfter([...header(1), BAR, pos(0)]);
    const before = allowedNames(early);
    restrict(processors(), early);
    expect(allowedNames(early)).toEqual(before);
  });
});

describe('the key prior', () => {
  it('reweights pitches by the header key in the body only, and leaves drums and other tokens alone', () => {
    const processor = new KeyPriorProcessor(1);
    const inHeader = zeros();
    processor.process(inHeader, stateAfter(header(2).slice(0, -1)));
    expect(changed(inHeader).size).toBe(0);
    const logits = zeros();
    processor.process(logits, stateAfter([...header(2, [0, DRUMS]), BAR, pos(0), inst(0)]));
    const relative = (pitch: number) => logits[tokenId('pitch', pitch)] - logits[tokenId('pitch', 62)]; // to D, the tonic
    expect(relative(74)).toBeCloseTo(0);
    expect(relative(63)).toBeLessThan(-3); // Eb, chromatic in D minor
    expect(relative(69)).toBeGreaterThan(-0.1); // A, the fifth
    expect([...changed(logits).keys()].every((id) => tokenType(id) === 'pitch')).toBe(true);
  });

  it('does nothing in a piece without a key', () => {
    const drumsAlone = [BOS, FOUR_FOUR, ...tempoTokens(90), KEY_NONE, inst(DRUMS), tokenId('bars', 1), BAR, pos(0)];
    const logits = zeros();
    new KeyPriorProcessor(1).process(logits, stateAfter(drumsAlone));
    expect(changed(logits).size).toBe(0);
  });
});

describe('classifier-free guidance', () => {
  it('mixes the rows as uncond + scale * (cond - uncond)', () => {
    const cond = zeros();
    const uncond = zeros();
    cond.set([2, 0, 1, -1], 100);
    uncond.set([1, 1, 1, 3], 100);
    new GuidanceProcessor(3).process(cond, stateAfter([BOS], uncond));
    expect(Array.from(cond.subarray(100, 104))).toEqual([4, -2, 1, -9]);
    expect(changed(cond).size).toBe(4);
    const same = Float32Array.of(2, 0, 1);
    new GuidanceProcessor(1).process(same, stateAfter([BOS], Float32Array.of(5, 5, 5)));
    expect(Array.from(same)).toEqual([2, 0, 1]);
  });

  it('refuses to run without the unconditional row', () => {
    expect(() => new GuidanceProcessor(3).process(zeros(), stateAfter([BOS]))).toThrow(/unconditional/);
  });
});

describe('the processor list', () => {
  const plan = (sampling: Partial<GenerationPlan['sampling']>, mustPlay?: number[]): GenerationPlan => ({
    textIds: [1], spec: base, forced: [], seed: 1, maxNewTokens: 100, deadline: Date.now() + 60_000, contextLimit: 1024, mustPlay,
    sampling: { temperature: 1, topK: 0, topP: 1, guidance: 1, ...sampling },
  });
  const names = (p: GenerationPlan) => decodingChain(p).processors.map((processor) => processor.constructor.name);

  it('runs guidance first, then the grammar and the request\'s rules, then sampling; what is off is not in it', () => {
    expect(names(plan({ guidance: 3, keyPrior: 1, topK: 20, topP: 0.9, temperature: 0.8 }, [0]))).toEqual([
      'GuidanceProcessor', 'GrammarMaskProcessor', 'HeaderSpecProcessor', 'MustPlayProcessor', 'KeyPriorProcessor',
      'TemperatureProcessor', 'TopKProcessor', 'TopPProcessor',
    ]);
    expect(names(plan({ keyPrior: 0 }))).toEqual(['GrammarMaskProcessor', 'HeaderSpecProcessor', 'TemperatureProcessor']);
    expect(names(plan({ temperature: 0, topP: 0.9 }))).toEqual(['GrammarMaskProcessor', 'HeaderSpecProcessor']);
  });

  it('leaves top-p the smallest set of legal tokens that reaches p', () => {
    const { processors } = decodingChain(plan({ guidance: 3, topP: 0.9 }));
    // After a first pitch only a velocity may follow; the unconditional row loves an illegal BAR.
    const state = stateAfter([...header(2), BAR, pos(0), inst(0), tokenId('pitch', 60)], zeros());
    state.unconditional![BAR] = 50;
    restrict(processors, state);
    const logits = zeros();
    logits[BAR] = 60;
    const probabilities = [0.5, 0.3, 0.15, 0.05];
    for (let v = 0; v < RANGES.velocity.size; v++) logits[tokenId('velocity', v)] = Math.log(probabilities[v] ?? 1e-6) / 3;
    for (const processor of processors) processor.process?.(logits, state);
    // Guidance at 3 with an unconditional row of 0 gives back the log-probabilities; 0.5 + 0.3 < 0.9 <= 0.95.
    expect([...logits.keys()].filter((id) => logits[id] > -Infinity).map(tokenName)).toEqual(['VEL_0', 'VEL_1', 'VEL_2']);
  });
});
