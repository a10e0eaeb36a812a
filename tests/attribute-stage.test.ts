/**
 * The attribute stage on real prompts: what it infers from ensembles, genres and moods, that a stated attribute
 * always wins, and that each inference names the words it came from. Then the same through a compose request, the
 * take embed, and a real model's header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MotifEngine } from '../src/inference/engine.ts';
import { requestInferences, resolveRequest, type RequestDefaults } from '../src/inference/request.ts';
import { MAX_BPM, MIN_BPM } from '../src/music/grid.ts';
import { DRUMS } from '../src/music/score.ts';
import { takeMessage } from '../src/jobs/take-message.ts';
import { describeInference, inferAttributes, type Inference } from '../src/text/attribute-stage.ts';
import { GENRE_CONVENTIONS, MOOD_CONVENTIONS } from '../src/text/conventions.ts';
import { ENSEMBLES } from '../src/text/ensembles.ts';
import { parsePrompt } from '../src/text/prompt.ts';
import { GENRES, MOODS } from '../src/text/words.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

function stage(text: string) {
  const parsed = parsePrompt(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return inferAttributes(text, parsed.attributes);
}

function inferred(text: string, attribute: Inference['attribute']): Inference | undefined {
  return stage(text).inferred.find((inference) => inference.attribute === attribute);
}

describe('attribute stage', () => {
  it('expands a named ensemble to its parts and its drums', () => {
    const trio = stage('slow jazz ballad for piano trio');
    expect(trio.attributes.instruments).toEqual([0, 32]);
    expect(trio.attributes.drums).toBe(true);
    expect(inferred('slow jazz ballad for piano trio', 'instruments')).toEqual({ attribute: 'instruments', value: 'acoustic bass', from: ['piano trio'] });
    // A classical piano trio is piano, violin and cello, without drums.
    expect(stage('classical piano trio').attributes).toMatchObject({ instruments: [0, 40, 42], drums: false });
    expect(stage('string quartet in D major').attributes).toMatchObject({ instruments: [40, 41, 42], drums: false });
    // The parser reads "brass" as the GM brass section; a brass quintet is its players instead.
    expect(stage('brass quintet chorale').attributes.instruments).toEqual([56, 60, 57, 58]);
    expect(stage('big band swing tune').attributes).toMatchObject({ instruments: [56, 57, 65, 66, 0, 32], drums: true });
    // Named instruments stay, with the ensemble's parts added.
    expect(stage('jazz combo with vibes').attributes.instruments).toEqual([11, 56, 66, 0, 32]);
  });

  it('finds an ensemble only as whole phrases, not inside another phrase or after a negation', () => {
    expect(stage('orchestral strings, slow').attributes.instruments).toEqual([48]);
    expect(inferred('orchestral strings, slow', 'instruments')).toBeUndefined();
    expect(stage('orchestral trailer cue in D minor').attributes.instruments).toEqual([48, 60, 56, 73, 47]);
    expect(stage('piano, no orchestra').attributes.instruments).toEqual([0]);
  });

  it('gives a genre without a tempo one inside its range, and a genre whose sound is its band that band', () => {
    for (const [genre, convention] of Object.entries(GENRE_CONVENTIONS)) {
      if (!convention.tempo) continue;
      for (const alias of GENRES[genre].aliases) {
        const { attributes } = stage(`a ${alias} tune`);
        expect(attributes.tempoRange, `${alias}`).toEqual(convention.tempo);
      }
    }
    expect(stage('synthwave night drive').attributes).toMatchObject({ instruments: [81, 38, 89], drums: true, tempoRange: [80, 118] });
    expect(stage('heavy metal song').attributes).toMatchObject({ instruments: [30, 33], drums: true });
    expect(stage('reggae song in G major').attributes).toMatchObject({ drums: true, timeSignature: [4, 4] });
  });

  it('lets what the prompt states win over anything inferred', () => {
    // A tempo word, a BPM, a key, a meter, drums and instruments, each stated beside a cue that implies another.
    expect(stage('fast lo-fi').attributes.tempoRange).toEqual([140, 180]);
    expect(inferred('fast lo-fi', 'tempo')).toBeUndefined();
    expect(stage('heavy metal song at 90 bpm').attributes).toMatchObject({ bpm: 90 });
    expect(stage('heavy metal song at 90 bpm').attributes.tempoRange).toBeUndefined();
    expect(stage('sad song in D major').attributes).toMatchObject({ key: { tonic: 2, mode: 'major' } });
    expect(stage('sad song in D major').attributes.mode).toBeUndefined();
    expect(stage('techno in 3/4').attributes.timeSignature).toEqual([3, 4]);
    expect(stage('piano trio, no drums').attributes.drums).toBe(false);
    expect(inferred('piano trio, no drums', 'drums')).toBeUndefined();
    expect(stage('lo-fi with no drums').attributes.drums).toBe(false);
    expect(stage('synthwave with piano').attributes.instruments).toEqual([0]);
    expect(inferred('synthwave with piano', 'instruments')).toBeUndefined();
  });

  it('infers drums, a meter or a mode only when its cues agree', () => {
    expect(stage('string quartet hip hop').attributes.drums).toBeUndefined();
    expect(stage('jazzy lo-fi with rhodes').attributes.drums).toBe(true);
    expect(stage('something sad').attributes).toMatchObject({ mode: 'minor', tempoRange: [55, 85] });
    expect(stage('sad but happy').attributes.mode).toBeUndefined();
    // Ranges narrow each other while they overlap: sad lo-fi is the slow end of lo-fi.
    expect(stage('sad lofi').attributes.tempoRange).toEqual([75, 85]);
    expect(inferred('sad lofi', 'tempo')?.from).toEqual(['lofi', 'sad']);
  });

  it('names the words as typed in each inference, and says it in one line', () => {
    const drums = inferred('Jazzy Lo-Fi with rhodes', 'drums');
    expect(drums).toEqual({ attribute: 'drums', value: 'drums', from: ['Lo-Fi'] });
    expect(describeInference(drums!)).toBe('drums, from "Lo-Fi"');
    expect(describeInference(inferred('A String Quartet', 'drums')!)).toBe('no drums, from "String Quartet"');
    expect(stage('a waltz for piano in G major').inferred).toEqual([]);
  });

  it('keeps its tables consistent with the vocabulary', () => {
    for (const [genre, convention] of Object.entries(GENRE_CONVENTIONS)) {
      expect(GENRES[genre], genre).toBeDefined();
      expect(convention.source.length, genre).toBeGreaterThan(10);
      if (convention.tempo) expect(convention.tempo[0] >= MIN_BPM && convention.tempo[0] <= convention.tempo[1] && convention.tempo[1] <= MAX_BPM, genre).toBe(true);
    }
    for (const mood of Object.keys(MOOD_CONVENTIONS)) expect(MOODS[mood], mood).toBeDefined();
    for (const ensemble of ENSEMBLES) {
      for (const part of ensemble.parts) expect(Number.isInteger(part) && part >= 0 && part < DRUMS, ensemble.id).toBe(true);
      // Every name reads as the ensemble on its own.
      for (const name of ensemble.names.filter(() => !ensemble.genres)) expect(stage(name).attributes.instruments, name).toEqual(expect.arrayContaining([...ensemble.parts]));
    }
  });
});

const defaults: RequestDefaults = { sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 3 }, maxTokens: 4096, timeoutMs: 60_000, defaultMaxBars: 16 };

describe('attribute stage in a compose request', () => {
  it('forces what it infers and lets the options win over it', () => {
    expect(resolveRequest({ prompt: 'slow jazz ballad for piano trio' }, defaults)).toMatchObject({
      spec: { instruments: [0, 32], drums: true, tempoRange: [60, 80] },
      mustPlay: [0, 32, DRUMS],
      // What the request asked for stays what it said.
      attributes: { instruments: [0] },
    });
    const withBpm = resolveRequest({ prompt: 'deep house', bpm: 100 }, defaults);
    expect(withBpm.spec).toMatchObject({ bpm: 100, drums: true });
    expect(withBpm.spec.tempoRange).toBeUndefined();
    expect(requestInferences({ prompt: 'deep house', bpm: 100 }).map((inference) => inference.attribute)).toEqual(['drums', 'meter']);
    expect(resolveRequest({ prompt: 'piano trio', instruments: [24] }, defaults).spec).toMatchObject({ instruments: [24], drums: true });
    expect(requestInferences({ prompt: 'piano trio', instruments: [24] }).map((inference) => inference.attribute)).toEqual(['drums']);
    expect(requestInferences({ prompt: 'piano trio', instruments: [24, DRUMS] })).toEqual([]);
  });

  it('is shown in the take embed', () => {
    const take: Parameters<typeof takeMessage>[0] = {
      id: 7, origin: 'compose', parentTakeId: null, prompt: 'piano trio', seed: 1, modelId: 'm',
      header: { timeSignature: [4, 4], bpm: 90, key: null, instruments: [0, 32, DRUMS], bars: 4 },
    };
    const files = { ogg: new Uint8Array(1), midi: new Uint8Array(1), png: new Uint8Array(1), seconds: 10 };
    const fields = (inferences: Inference[]) => takeMessage(take, files, { index: 0, count: 1 }, ['👍'], inferences).embeds![0] as { toJSON(): { fields?: Array<{ name: string; value: string }> } };
    const shown = fields(requestInferences({ prompt: 'piano trio' })).toJSON().fields!.find((field) => field.name === 'Inferred from your words');
    expect(shown?.value).toBe('instruments acoustic bass, from "piano trio"\ndrums, from "piano trio"');
    expect(fields([]).toJSON().fields!.some((field) => field.name === 'Inferred from your words')).toBe(false);
  });
});

describe.skipIf(withoutModel())('attribute stage with a model', () => {
  let engine: MotifEngine;
  beforeAll(async () => {
    engine = await MotifEngine.load({
      modelDir: MODEL_DIR, device: 'cpu', threads: 1, maxBatch: 2, maxTokens: 600, requestTimeoutMs: 60_000,
      sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 1 }, defaultMaxBars: 4,
    });
  });
  afterAll(() => engine?.close());

  it('writes a header inside what a genre and an ensemble imply', async () => {
    const house = await engine.compose({ prompt: 'deep house', seed: 3, bars: 2 });
    expect(house.header.bpm).toBeGreaterThanOrEqual(122);
    expect(house.header.bpm).toBeLessThanOrEqual(126);
    expect(house.header.instruments).toContain(DRUMS);
    const trio = await engine.compose({ prompt: 'piano trio', seed: 3, bars: 2 });
    expect(trio.header.instruments).toEqual([0, 32, DRUMS]);
  });
});
