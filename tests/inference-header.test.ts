import { describe, expect, it } from 'vitest';
import { PromptError } from '../src/inference/errors.ts';
import { closeEarly } from '../src/inference/close-early.ts';
import { Generation } from '../src/inference/generation.ts';
import { barsForSeconds, restrictHeader, type HeaderSpec } from '../src/inference/header-spec.ts';
import { resolveRequest, type RequestDefaults } from '../src/inference/request.ts';
import { slidingWindow } from '../src/inference/window.ts';
import { GrammarState, isValid } from '../src/tokens/grammar.ts';
import { readMidi } from '../src/music/midi.ts';
import { DRUMS, type Score } from '../src/music/score.ts';
import { decodeHeader, decodeScore, encodeScore, headerLength, tempoTokens } from '../src/tokens/tokenizer.ts';
import { BAR, BOS, EOS, KEY_NONE, RANGES, VOCAB_SIZE, tokenId, tokenName, tokenType } from '../src/tokens/vocab.ts';
import { fixtureMidi } from './helpers/data.ts';

const base: HeaderSpec = { barsRange: [4, 16], maxInstruments: 6 };
const ts = (n: number, d: number) => tokenId('timeSignature', [[2, 4], [3, 4], [4, 4], [5, 4], [6, 4], [7, 4], [8, 4], [2, 2], [3, 2], [4, 2], [3, 8], [5, 8], [6, 8], [7, 8], [9, 8], [12, 8], [1, 4]]
  .findIndex(([a, b]) => a === n && b === d));
const inst = (id: number) => tokenId('instrument', id);
const key = (index: number) => tokenId('key', index);

/** Token names the header spec allows after `tokens`. */
function allowedAfter(tokens: number[], spec: HeaderSpec): string[] {
  const grammar = new GrammarState();
  for (const id of tokens) grammar.step(id);
  const mask = grammar.allowed(new Uint8Array(VOCAB_SIZE));
  restrictHeader(mask, tokens, spec);
  return [...mask.keys()].filter((id) => mask[id]).map(tokenName);
}

const start = [BOS, ts(4, 4), ...tempoTokens(120)];

describe('forced header', () => {
  it('forces both tempo tokens for a stated BPM, and keeps a tempo range inside its bounds', () => {
    expect(allowedAfter([BOS, ts(4, 4)], { ...base, bpm: 97 })).toEqual(['TEMPO_TENS_9']);
    expect(allowedAfter([BOS, ts(4, 4), tokenId('tempoTens', 7)], { ...base, bpm: 97 })).toEqual(['TEMPO_ONES_7']);
    const range: HeaderSpec = { ...base, tempoRange: [76, 108] };
    expect(allowedAfter([BOS, ts(4, 4)], range)).toEqual(['TEMPO_TENS_7', 'TEMPO_TENS_8', 'TEMPO_TENS_9', 'TEMPO_TENS_10']);
    expect(allowedAfter([BOS, ts(4, 4), tokenId('tempoTens', 5)], range)).toEqual(['TEMPO_ONES_6', 'TEMPO_ONES_7', 'TEMPO_ONES_8', 'TEMPO_ONES_9']);
    expect(allowedAfter([BOS, ts(4, 4), tokenId('tempoTens', 8)], range)).toEqual(['TEMPO_ONES_0', 'TEMPO_ONES_1', 'TEMPO_ONES_2', 'TEMPO_ONES_3', 'TEMPO_ONES_4', 'TEMPO_ONES_5', 'TEMPO_ONES_6', 'TEMPO_ONES_7', 'TEMPO_ONES_8']);
    expect(allowedAfter([BOS], { ...base, timeSignature: [6, 8] })).toEqual(['TS_6/8']);
    expect(allowedAfter([BOS], base)).toHaveLength(RANGES.timeSignature.size);
  });

  it('forces a key, or the keys of a mode, and keeps KEY_NONE for drums alone', () => {
    expect(allowedAfter(start, { ...base, key: { tonic: 1, mode: 'minor' } })).toEqual(['KEY_C#_minor']);
    const minor = allowedAfter(start, { ...base, mode: 'minor' });
    expect(minor).toHaveLength(12);
    expect(minor.every((name) => name.endsWith('_minor'))).toBe(true);
    expect(allowedAfter(start, base)).toContain('KEY_NONE');
    expect(allowedAfter(start, { ...base, instruments: [0] })).not.toContain('KEY_NONE');
    expect(allowedAfter(start, { ...base, drums: false })).not.toContain('KEY_NONE');
    expect(allowedAfter(start, { ...base, instruments: [], drums: true })).toEqual(['KEY_NONE']);
  });

  it('lets the model choose only among a genre\'s palette when no instruments are stated', () => {
    const lofi: HeaderSpec = { ...base, palette: [4, 32, 33, DRUMS] };
    const header = [...start, key(9)];
    expect(allowedAfter(header, lofi)).toEqual(['INST_4', 'INST_32', 'INST_33']);
    expect(allowedAfter([...header, inst(4)], lofi).filter((name) => name.startsWith('INST'))).toEqual(['INST_32', 'INST_33', 'INST_DRUMS']);
    // Drums outside the palette stay out unless the prompt asks for them.
    const noDrums: HeaderSpec = { ...base, palette: [0, 24] };
    expect(allowedAfter(start, noDrums)).not.toContain('KEY_NONE'); // no key would mean drums alone
    expect(allowedAfter(start, lofi)).toContain('KEY_NONE');
    expect(allowedAfter([...header, inst(0)], noDrums).filter((name) => name.startsWith('INST'))).toEqual(['INST_24']);
    expect(allowedAfter([...header, inst(0)], { ...noDrums, drums: true }).filter((name) => name.startsWith('INST'))).toEqual(['INST_24', 'INST_DRUMS']);
  });

  it('forces exactly the stated instruments, with drums only when asked or left open', () => {
    const spec: HeaderSpec = { ...base, instruments: [33, 0], drums: true };
    const header = [...start, key(9)];
    expect(allowedAfter(header, spec)).toEqual(['INST_0']);
    expect(allowedAfter([...header, inst(0)], spec)).toEqual(['INST_33']);
    expect(allowedAfter([...header, inst(0), inst(33)], spec)).toEqual(['INST_DRUMS']);
    const bars = allowedAfter([...header, inst(0), inst(33), inst(DRUMS)], spec);
    expect(bars.every((name) => name.startsWith('BARS_'))).toBe(true);
    expect(allowedAfter([...header, inst(0), inst(33)], { ...spec, drums: false }).every((name) => name.startsWith('BARS_'))).toBe(true);
    const open = allowedAfter([...header, inst(0), inst(33)], { ...spec, drums: undefined });
    expect(open).toContain('INST_DRUMS');
    expect(open.filter((name) => name.startsWith('INST_'))).toEqual(['INST_DRUMS']);
  });

  it('constrains the model\'s own instrument choices by the drums statement, the key and the cap', () => {
    const header = [...start, key(0)];
    expect(allowedAfter(header, { ...base, drums: false })).not.toContain('INST_DRUMS');
    // A piece in a key starts with a pitched instrument.
    expect(allowedAfter(header, base)).not.toContain('INST_DRUMS');
    const withPiano = allowedAfter([...header, inst(0)], { ...base, drums: true });
    expect(withPiano).toContain('INST_DRUMS');
    expect(withPiano.some((name) => name.startsWith('BARS_'))).toBe(false);
    expect(allowedAfter([...start, KEY_NONE], base)).toEqual(['INST_DRUMS']);
    const full = [...header, inst(0), inst(1), inst(2)];
    const capped = allowedAfter(full, { ...base, maxInstruments: 3 });
    expect(capped.filter((name) => name.startsWith('INST_'))).toEqual(['INST_DRUMS']);
  });

  it('keeps the length: stated bars, seconds at the header tempo, else the default range', () => {
    const header = [...start, key(0), inst(0)];
    const piano: HeaderSpec = { ...base, instruments: [0], drums: false };
    expect(allowedAfter(header, { ...piano, bars: 5 })).toEqual(['BARS_5']);
    expect(barsForSeconds(30, 120, [4, 4])).toBe(15);
    expect(barsForSeconds(30, 120, [6, 8])).toBe(20);
    expect(allowedAfter(header, { ...piano, seconds: 30 })).toEqual(['BARS_15']);
    const free = allowedAfter(header, piano);
    expect(free).toEqual(Array.from({ length: 13 }, (_, i) => `BARS_${i + 4}`));
  });
});

const defaults: RequestDefaults = { sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 3 }, maxTokens: 4096, timeoutMs: 60_000, defaultMaxBars: 16 };

describe('compose requests', () => {
  it('lays explicit options over what the prompt says', () => {
    const resolved = resolveRequest({ prompt: 'fast piano in A minor, 12 bars', bpm: 72, key: { tonic: 2, mode: 'major' }, instruments: [24, DRUMS], bars: 3, seed: 5 }, defaults);
    expect(resolved.spec).toMatchObject({ bpm: 72, key: { tonic: 2, mode: 'major' }, instruments: [24], drums: true, bars: 3 });
    expect(resolved.spec.tempoRange).toBeUndefined();
    expect(resolved.seed).toBe(5);
    const fromPrompt = resolveRequest({ prompt: 'sad cello in D minor at 80 bpm, no drums, 8 bars' }, defaults);
    expect(fromPrompt.spec).toMatchObject({ bpm: 80, key: { tonic: 2, mode: 'minor' }, instruments: [42], drums: false, bars: 8 });
    // No seed given: a fresh one each time, within the range a user may pass back to repeat the take.
    const seeds = Array.from({ length: 8 }, () => resolveRequest({ prompt: 'sad cello' }, defaults).seed);
    for (const seed of [fromPrompt.seed, ...seeds]) expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(1);
    expect(fromPrompt.sampling).toEqual(defaults.sampling);
  });

  it('refuses impossible requests with a plain PromptError', () => {
    const message = (request: Parameters<typeof resolveRequest>[0]) => {
      try {
        resolveRequest(request, defaults);
      } catch (error) {
        expect(error).toBeInstanceOf(PromptError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message({ prompt: '' })).toMatch(/empty/);
    expect(message({ prompt: 'piano at 400 bpm' })).toMatch(/out of range/);
    expect(message({ prompt: 'piano', bars: 0 })).toMatch(/1 to 64 bars/);
    expect(message({ prompt: 'piano', bpm: 10 })).toMatch(/20 to 299/);
    expect(message({ prompt: 'piano', timeSignature: [7, 16] })).toMatch(/not supported/);
    expect(message({ prompt: 'anything', instruments: [], drums: false })).toMatch(/Nothing would play/);
    expect(message({ prompt: 'piano', topP: 0 })).toMatch(/top-p/);
  });
});

describe('sliding window', () => {
  it('keeps the header and the last whole bars within the budget of a real piece', async () => {
    const members = await fixtureMidi('multitrack/freedoom.tar.gz', 5);
    const tokens = members.map((member) => encodeScore(readMidi(member.bytes))).sort((a, b) => b.length - a.length)[0];
    expect(tokens.length).toBeGreaterThan(2000);
    const window = slidingWindow(tokens, 512);
    const headerEnd = headerLength(tokens);
    expect(window.length).toBeLessThanOrEqual(512);
    expect(window.length).toBeGreaterThan(300);
    expect(headerLength(window)).toBe(headerEnd);
    expect(window[headerEnd]).toBe(BAR);
    expect(window.slice(headerEnd)).toEqual(tokens.slice(tokens.length - (window.length - headerEnd)));
    expect(slidingWindow(tokens.slice(0, 300), 512)).toEqual(tokens.slice(0, 300));
  });

  it('states the meter and tempo in force where the window starts', () => {
    const notes = Array.from({ length: 8 }, (_, bar) => ({ onset: bar * 48, duration: 12, pitch: 60 + bar, velocity: 80 }));
    const score: Score = {
      tempos: [{ tick: 0, bpm: 100 }, { tick: 96, bpm: 140 }],
      timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
      tracks: [{ program: 0, isDrum: false, name: 'piano', notes }],
    };
    const tokens = encodeScore(score, { bars: 8 });
    const window = slidingWindow(tokens, 30);
    expect(window.length).toBeLessThanOrEqual(30);
    expect(decodeHeader(window).bpm).toBe(140);
    expect(window[headerLength(window)]).toBe(BAR);
  });
});

describe('closing a piece early', () => {
  it('cuts at the last complete note, states the bars written and ends with EOS', async () => {
    const [member] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const tokens = encodeScore(readMidi(member.bytes));
    const cutInsideANote = tokens.findIndex((id, i) => i > 60 && tokenType(id) === 'pitch');
    const closed = closeEarly(tokens.slice(0, cutInsideANote + 1), 'max-tokens');
    expect(isValid(closed)).toBe(true);
    expect(closed[closed.length - 1]).toBe(EOS);
    expect(tokenType(closed[closed.length - 2])).toBe('duration');
    const bars = closed.filter((id) => id === BAR).length;
    expect(decodeHeader(closed).bars).toBe(bars);
    expect(decodeScore(closed).tracks[0].notes.length).toBeGreaterThan(3);
    expect(() => closeEarly(tokens.slice(0, 4), 'deadline')).toThrow(/before it wrote any music/);
  });
});

describe('a generation between model calls', () => {
  const plan = (spec: Partial<HeaderSpec>, forced: number[]) => new Generation({
    textIds: [1, 40, 41], spec: { ...base, ...spec }, forced, seed: 1, sampling: { temperature: 1, topK: 0, topP: 1, guidance: 3 },
    maxNewTokens: 1000, deadline: Date.now() + 60_000, contextLimit: 1024, mustPlay: spec.instruments,
  }, VOCAB_SIZE);
  /** Logits that all but insist on `favourite`. */
  const insisting = (favourite: number) => {
    const row = new Float32Array(VOCAB_SIZE);
    row[favourite] = 50;
    return row;
  };
  const header = [BOS, ts(4, 4), ...tempoTokens(90), key(0), inst(0), inst(40), tokenId('bars', 1)];

  it('reads forced tokens and the grammar\'s only choices without the model, then asks for logits', () => {
    const generation = plan({ bpm: 90, timeSignature: [4, 4], instruments: [0, 40], drums: false, bars: 2, key: { tonic: 0, mode: 'major' } }, []);
    expect(generation.rows).toBe(2);
    expect(generation.captions()).toEqual([[1, 40, 41], [1]]);
    expect(generation.decide()).toBe('feed');
    // Every header slot is stated, and BAR is the only token after BARS.
    expect(generation.tokens).toEqual([...header, BAR]);
    expect(generation.pending).toEqual(generation.tokens);
    generation.consumed(generation.pending.length);
    expect(generation.contextLength).toBe(header.length + 1);
  });

  it('keeps a stated tempo and meter through the body, whatever the logits say', () => {
    const generation = plan({ bpm: 90, timeSignature: [4, 4], instruments: [0, 40], drums: false, bars: 2, key: { tonic: 0, mode: 'major' } }, [...header, BAR]);
    expect(generation.decide()).toBe('feed');
    expect(generation.choose(insisting(RANGES.timeSignature.start + 3), insisting(RANGES.timeSignature.start + 3))).not.toBe(RANGES.timeSignature.start + 3);
    const position = tokenId('position', 0);
    const afterBar = plan({ bpm: 90, timeSignature: [4, 4], instruments: [0, 40], drums: false, bars: 2 }, [...header, BAR, position]);
    afterBar.decide();
    const chosen = afterBar.choose(insisting(tokenId('tempoTens', 12)), insisting(tokenId('tempoTens', 12)));
    expect(tokenType(chosen)).toBe('instrument');
  });

  it('favours a named instrument until it has played, and holds the end back for it', () => {
    const greedy = (forced: number[]) => new Generation({
      textIds: [1], spec: { ...base, instruments: [0, 40], drums: false }, forced, seed: 1, sampling: { temperature: 0, topK: 0, topP: 1, guidance: 1 },
      maxNewTokens: 1000, deadline: Date.now() + 60_000, contextLimit: 1024, mustPlay: [0, 40],
    }, VOCAB_SIZE);
    const pianoNote = [tokenId('position', 0), inst(0), tokenId('pitch', 60), tokenId('velocity', 8), tokenId('duration', 7)];
    const generation = greedy([...header, BAR, ...pianoNote, tokenId('position', 8)]);
    generation.decide();
    const row = new Float32Array(VOCAB_SIZE);
    row[inst(0)] = 3; // the model prefers piano, but violin has not played yet
    row[inst(40)] = 0;
    expect(generation.choose(row)).toBe(inst(40));
    const oneBar = [BOS, ts(4, 4), ...tempoTokens(90), key(0), inst(0), inst(40), tokenId('bars', 0), BAR, ...pianoNote];
    const ending = greedy(oneBar);
    expect(ending.decide()).toBe('feed');
    expect(ending.choose(insisting(EOS))).not.toBe(EOS);
    const free = new Generation({ ...ending.plan, mustPlay: [] }, VOCAB_SIZE);
    free.decide();
    expect(free.choose(insisting(EOS))).toBe(EOS);
  });

  it('keeps room in the last bar for a named instrument that has not played', () => {
    const named = (forced: number[], mustPlay = [0, 40]) => new Generation({
      textIds: [1], spec: { ...base, instruments: [0, 40], drums: false }, forced, seed: 1, sampling: { temperature: 0, topK: 0, topP: 1, guidance: 1 },
      maxNewTokens: 1000, deadline: Date.now() + 60_000, contextLimit: 1024, mustPlay,
    }, VOCAB_SIZE);
    /** Logits that insist on `favourite`, with `second` the best of the rest. */
    const preferring = (favourite: number, second: number) => {
      const row = insisting(favourite);
      row[second] = 10;
      return row;
    };
    const oneBar = [BOS, ts(4, 4), ...tempoTokens(90), key(0), inst(0), inst(40), tokenId('bars', 0), BAR];
    const lastPosition = tokenId('position', 31); // 4/4: 4 quarters of 8 slots
    expect(isValid([...oneBar, lastPosition, inst(40), tokenId('pitch', 60), tokenId('velocity', 8), tokenId('duration', 7), EOS])).toBe(true);
    // At the bar's last position a violin note first would close it with the piano silent: the piano comes first.
    const late = named([...oneBar, lastPosition]);
    expect(late.decide()).toBe('feed');
    expect(late.choose(preferring(inst(40), inst(0)))).toBe(inst(0));
    // The piano has played there; the violin may still follow it in the same position, and the end waits for it.
    const pianoLast = [...oneBar, lastPosition, inst(0), tokenId('pitch', 60), tokenId('velocity', 8), tokenId('duration', 7)];
    const after = named(pianoLast);
    after.decide();
    expect(after.choose(preferring(EOS, inst(40)))).toBe(inst(40));
    // Mid-bar the model keeps its choice: a later position still has room for both.
    const early = named([...oneBar, tokenId('position', 0)]);
    early.decide();
    expect(early.choose(insisting(inst(40)))).toBe(inst(40));
    // A named instrument left out of a forced header holds nothing open.
    const absent = named([BOS, ts(4, 4), ...tempoTokens(90), key(0), inst(0), tokenId('bars', 0), BAR, ...pianoLast.slice(oneBar.length)], [0, 40]);
    absent.decide();
    expect(absent.choose(insisting(EOS))).toBe(EOS);
    expect(isValid(absent.result())).toBe(true);
  });
});
