/**
 * The engine end to end with a real exported model (the smoke model by default): the notes it writes are not
 * music yet, but everything the engine promises about them is checked here.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GUIDANCE, MotifEngine, type Composition } from '../src/inference/engine.ts';
import { GenerationTimeoutError, ModelMismatchError, PromptError } from '../src/inference/errors.ts';
import { cudaProviderInstalled } from '../src/inference/sessions.ts';
import { validationError } from '../src/tokens/grammar.ts';
import { PALETTES_FORMAT } from '../src/music/instrument-palettes.ts';
import { DRUMS, instrumentOf } from '../src/music/score.ts';
import { decodeScore } from '../src/tokens/tokenizer.ts';
import { BAR, EOS, KEY_NONE, RANGES } from '../src/tokens/vocab.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';
import { skipOnThisMachine } from './helpers/prerequisites.ts';

const SAMPLING = { temperature: 1, topK: 0, topP: 0.95, guidance: 3 };

function load(options: Parameters<typeof MotifEngine.load>[0] = {}) {
  return MotifEngine.load({
    modelDir: MODEL_DIR, device: 'cpu', threads: 1, maxBatch: 8, maxTokens: 4096, requestTimeoutMs: 60_000,
    sampling: SAMPLING, defaultMaxBars: 16, ...options,
  });
}

/** Everything a composition promises about itself. */
function expectWellFormed(composition: Composition): void {
  expect(validationError(composition.tokens)).toBeUndefined();
  expect(decodeScore(composition.tokens)).toEqual(composition.score);
  expect(composition.tokens.filter((id) => id === BAR)).toHaveLength(composition.header.bars);
  const played = composition.score.tracks.map(instrumentOf);
  for (const id of played) expect(composition.header.instruments).toContain(id);
}

describe.skipIf(withoutModel())('inference engine', () => {
  let engine: MotifEngine;
  beforeAll(async () => {
    engine = await load();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('gives the same notes for the same prompt, seed and model, and other notes for another seed', async () => {
    const request = { prompt: 'a lofi hip hop beat with electric piano and bass', seed: 1234, bars: 6 };
    const first = await engine.compose(request);
    const again = await engine.compose(request);
    const other = await engine.compose({ ...request, seed: 1235 });
    expect(again.tokens).toEqual(first.tokens);
    expect(other.tokens).not.toEqual(first.tokens);
    expect(first.seed).toBe(1234);
    expect(first.modelId).toBe(engine.modelId);
    expect(first.timings.tokens).toBe(first.tokens.length);
    expect(first.timings.sampled).toBeGreaterThan(10);
    expect(first.timings.calls).toBeGreaterThanOrEqual(first.timings.sampled);
    expect(first.finish).toBe('eos');
  });

  it('writes only valid sequences that decode to their score', async () => {
    const prompts = [
      'sad piano in D minor', 'energetic rock with distorted guitar and drums', 'a waltz for strings', 'drum and bass 174 bpm',
      'ambient pad, slow', 'jazz trio: piano, upright bass, drums', 'chiptune boss battle', 'flute and harp, 6/8, 4 bars',
    ];
    const results = await Promise.all(prompts.map((prompt, i) => engine.compose({ prompt, seed: 50 + i, temperature: 1.3 })));
    for (const result of results) {
      expectWellFormed(result);
      expect(result.tokens[result.tokens.length - 1]).toBe(EOS);
      expect(result.header.bars).toBeGreaterThanOrEqual(4);
      expect(result.header.bars).toBeLessThanOrEqual(16);
    }
    expect(results[0].header.key).toEqual({ tonic: 2, mode: 'minor' });
    expect(results[3].header.bpm).toBe(174);
    expect(results[7].header.timeSignature).toEqual([6, 8]);
  });

  it('holds every attribute the prompt states: tempo, meter, key, instruments, drums and bars', async () => {
    const result = await engine.compose({ prompt: 'violin and cello in C# minor at 97 bpm, 6/8, with drums, 5 bars', seed: 9 });
    expectWellFormed(result);
    expect(result.header).toEqual({ timeSignature: [6, 8], bpm: 97, key: { tonic: 1, mode: 'minor' }, instruments: [40, 42, DRUMS], bars: 5 });
    // A stated tempo and meter hold for the whole piece: no changes in the body.
    expect(result.score.tempos).toEqual([{ tick: 0, bpm: 97 }]);
    expect(result.score.timeSignatures).toEqual([{ tick: 0, numerator: 6, denominator: 8 }]);
    // Named instruments are not only in the header: each of them plays.
    expect(result.score.tracks.map(instrumentOf)).toEqual([40, 42, DRUMS]);
  });

  it('plays every instrument the prompt names, even when the model would fill the last bar without it', async () => {
    // Seeds 1 and 3 of the first two prompts left the fiddle or the guitar silent before the last bar kept room for them.
    const prompts = ['an irish jig on fiddle', 'country tune with acoustic guitar and fiddle', 'piano and cello duet, 4 bars', 'a lullaby on harp'];
    const requests = prompts.flatMap((prompt) => [1, 2, 3].map((seed) => ({ prompt, seed })));
    const results = await Promise.all(requests.map((request) => engine.compose(request)));
    for (const [i, result] of results.entries()) {
      expectWellFormed(result);
      const named = result.attributes.instruments ?? [];
      expect(named.length, prompts[Math.floor(i / 3)]).toBeGreaterThan(0);
      const notes = (id: number) => result.score.tracks.filter((track) => instrumentOf(track) === id).reduce((sum, track) => sum + track.notes.length, 0);
      for (const id of named) expect(notes(id), `${requests[i].prompt} seed ${requests[i].seed}: instrument ${id}`).toBeGreaterThan(0);
    }
  });

  it('lets explicit options override the prompt, and samples what is left open within its limits', async () => {
    const forced = await engine.compose({
      prompt: 'fast piano in A minor with drums, 12 bars', seed: 3, bpm: 72, key: { tonic: 2, mode: 'major' }, instruments: [24], drums: false, bars: 3,
    });
    expect(forced.header).toEqual({ timeSignature: forced.header.timeSignature, bpm: 72, key: { tonic: 2, mode: 'major' }, instruments: [24], bars: 3 });
    expect(forced.attributes).toMatchObject({ bpm: 72, instruments: [24], drums: false, bars: 3 });
    const open = await Promise.all([10, 11, 12, 13].map((seed) => engine.compose({ prompt: 'something andante in a minor key, no drums', seed })));
    for (const result of open) {
      expectWellFormed(result);
      expect(result.header.bpm).toBeGreaterThanOrEqual(76);
      expect(result.header.bpm).toBeLessThanOrEqual(108);
      expect(result.header.key?.mode).toBe('minor');
      expect(result.header.instruments).not.toContain(DRUMS);
    }
    const withDrums = await engine.compose({ prompt: 'a groove with drums', seed: 21 });
    expect(withDrums.header.instruments).toContain(DRUMS);
    const drumsOnly = await engine.compose({ prompt: 'a drum groove', instruments: [DRUMS], seed: 22 });
    expect(drumsOnly.header.instruments).toEqual([DRUMS]);
    expect(drumsOnly.header.key).toBeNull();
    expect(drumsOnly.tokens).toContain(KEY_NONE);
    const timed = await engine.compose({ prompt: 'piano, 30 seconds at 120 bpm in 4/4', seed: 4 });
    expect(timed.header.bars).toBe(15);
  });

  it('refuses a bad prompt with a PromptError in plain words', async () => {
    await expect(engine.compose({ prompt: '   ' })).rejects.toBeInstanceOf(PromptError);
    await expect(engine.compose({ prompt: 'piano at 900 bpm' })).rejects.toThrow(/out of range/);
    await expect(engine.compose({ prompt: 'piano', bars: 65 })).rejects.toThrow(/1 to 64 bars/);
  });

  it('cancels a request through its AbortSignal, closes one at its limits, and keeps serving', async () => {
    const controller = new AbortController();
    const long = engine.compose({ prompt: 'a long piano piece', seed: 77, bars: 64, signal: controller.signal });
    const neighbour = engine.compose({ prompt: 'a short piano piece', seed: 78, bars: 4 });
    setTimeout(() => controller.abort(), 15);
    await expect(long).rejects.toMatchObject({ name: 'AbortError' });
    expectWellFormed(await neighbour);
    const aborted = new AbortController();
    aborted.abort();
    await expect(engine.compose({ prompt: 'piano', signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });

    // The limits of one pass (a piece in form splits its budget between sections, docs/INFERENCE.md).
    const capped = await engine.compose({ prompt: 'a long piano piece', seed: 79, bars: 64, maxTokens: 80, form: false });
    expect(capped.finish).toBe('max-tokens');
    expectWellFormed(capped);
    expect(capped.header.bars).toBeLessThan(64);
    expect(capped.tokens.length).toBeLessThanOrEqual(80 + 1);

    const started = Date.now();
    const late = await engine.compose({ prompt: 'a long piano piece', seed: 80, bars: 64, timeoutMs: 30, form: false }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2000);
    if (late instanceof Error) expect(late).toBeInstanceOf(GenerationTimeoutError);
    else {
      expect((late as Composition).finish).toBe('deadline');
      expectWellFormed(late as Composition);
    }
    expect(engine.stats()).toEqual({ active: 0, queued: 0 });
  });

  it('decodes concurrent requests to the same results as one at a time', async () => {
    const requests = [
      { prompt: 'funky bass and clavinet with drums', seed: 501, bars: 8 },
      { prompt: 'a lullaby for music box', seed: 502 },
      { prompt: 'epic orchestral strings and brass, 12 bars', seed: 503 },
      { prompt: 'reggae guitar and organ', seed: 504, guidance: 1 },
      { prompt: 'sad solo cello', seed: 505, temperature: 0 },
    ];
    const alone: Composition[] = [];
    for (const request of requests) alone.push(await engine.compose(request));
    const together = await Promise.all(requests.map((request) => engine.compose(request)));
    together.forEach((result, i) => expect(result.tokens).toEqual(alone[i].tokens));
    // Two at a time (the rest wait in line), and with every run of 2+ known tokens read outside the batch (requests
    // leave and rejoin it with their cache rows), the notes stay the same.
    const twoAtATime = engine.withOptions({ maxBatch: 2 });
    const pairs = await Promise.all(requests.map((request) => twoAtATime.compose(request)));
    pairs.forEach((result, i) => expect(result.tokens).toEqual(alone[i].tokens));
    const leaving = engine.withOptions({ prefillThreshold: 1 });
    const rejoined = await Promise.all(requests.map((request) => leaving.compose(request)));
    rejoined.forEach((result, i) => expect(result.tokens).toEqual(alone[i].tokens));
  });

  it('continues past the context with a sliding window, deterministically', async () => {
    const small = await load({ contextLength: 48 });
    try {
      const request = { prompt: 'a jazz trio with piano, bass and drums', seed: 31, bars: 16 };
      const first = await small.compose(request);
      expect(first.timings.windows).toBeGreaterThan(0);
      expect(first.tokens.length).toBeGreaterThan(48);
      expect(first.finish).toBe('eos');
      expectWellFormed(first);
      expect(first.header.bars).toBe(16);
      expect((await small.compose(request)).tokens).toEqual(first.tokens);
      const [a, b] = await Promise.all([small.compose(request), small.compose({ ...request, seed: 32 })]);
      expect(a.tokens).toEqual(first.tokens);
      expectWellFormed(b);
    } finally {
      await small.close();
    }
  });
});

describe.skipIf(withoutModel())('model folder checks', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'motif-model-'));
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  async function withManifest(change: (manifest: Record<string, unknown>) => void): Promise<string> {
    const dir = await mkdtemp(path.join(copy, 'm-'));
    await cp(MODEL_DIR!, dir, { recursive: true });
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    change(manifest);
    await writeFile(file, JSON.stringify(manifest));
    return dir;
  }

  it('refuses a model trained on another music vocabulary or text tokenizer, or a damaged file', async () => {
    const music = await withManifest((m) => (m.music_vocab_hash = '0123456789abcdef'));
    await expect(load({ modelDir: music })).rejects.toThrow(ModelMismatchError);
    await expect(load({ modelDir: music })).rejects.toThrow(/music vocabulary 0123456789abcdef/);
    const text = await withManifest((m) => (m.text_vocab_hash = 'fedcba9876543210'));
    await expect(load({ modelDir: text })).rejects.toThrow(/text tokenizer fedcba9876543210/);
    const damaged = await withManifest((m) => ((m.files as { decoder: { sha256: string } }).decoder.sha256 = '0'.repeat(64)));
    await expect(load({ modelDir: damaged })).rejects.toThrow(/does not match its manifest/);
    const vocab = await withManifest((m) => ((m.architecture as { music_vocab: number }).music_vocab = RANGES.duration.start));
    await expect(load({ modelDir: vocab })).rejects.toThrow(ModelMismatchError);
  });

  it('chooses a genre\'s instruments from the palette file of the model folder', async () => {
    const dir = await withManifest(() => {});
    const palettes = { format: PALETTES_FORMAT, dataset: 'test', genres: { lofi: { examples: 10, instruments: { 4: 1, 33: 0.5, 128: 1 } } } };
    await writeFile(path.join(dir, 'instrument-palettes.json'), JSON.stringify(palettes));
    const withPalettes = await load({ modelDir: dir });
    try {
      for (const seed of [1, 2, 3]) {
        const piece = await withPalettes.compose({ prompt: 'lo-fi beat', seed, bars: 2 });
        expectWellFormed(piece);
        for (const id of piece.header.instruments) expect([4, 33, DRUMS]).toContain(id);
      }
      // Instruments the prompt names win over the palette.
      expect((await withPalettes.compose({ prompt: 'lo-fi beat with a flute', seed: 1, bars: 2 })).header.instruments).toContain(73);
    } finally {
      await withPalettes.close();
    }
  });

  it('takes the guidance scale the manifest recommends unless the configuration states one', async () => {
    const recommending = await withManifest((m) => (m.sampling = { guidance: 1 }));
    const fromModel = await load({ modelDir: recommending, sampling: { ...SAMPLING, guidance: undefined } });
    const stated = fromModel.withOptions({ sampling: { ...SAMPLING, guidance: 2 } });
    const plain = await load({ sampling: { ...SAMPLING, guidance: undefined } });
    try {
      expect(fromModel.sampling.guidance).toBe(1);
      expect(stated.sampling.guidance).toBe(2);
      const shipped = JSON.parse(await readFile(path.join(MODEL_DIR!, 'manifest.json'), 'utf8')) as { sampling?: { guidance?: number } };
      expect(plain.sampling.guidance).toBe(shipped.sampling?.guidance ?? DEFAULT_GUIDANCE);
      // Guidance 1 decodes one row (no unconditional caption): the piece still comes out whole.
      expectWellFormed(await fromModel.compose({ prompt: 'piano', seed: 3, bars: 2 }));
    } finally {
      await fromModel.close();
      await plain.close();
    }
  });

  it.skipIf(skipOnThisMachine(cudaProviderInstalled(), 'the CUDA provider is installed, so the CPU fallback cannot be seen'))('falls back to CPU with one log line when CUDA is asked for but not installed', async () => {
    const lines: string[] = [];
    const fallback = await load({ device: 'cuda', log: (line) => lines.push(line) });
    try {
      expect(fallback.device).toBe('cpu');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/MOTIF_DEVICE=cuda.*running on CPU/);
      expect((await fallback.compose({ prompt: 'piano', seed: 1, bars: 2 })).header.bars).toBe(2);
    } finally {
      await fallback.close();
    }
  });
});
