/**
 * The evaluation harness: the prompt file format, the judge, bar fingerprints, and a small `motif eval` end to end
 * with a real exported model (the smoke model by default) and the dataset it was trained on, so the harness cannot
 * rot between evaluations. `bench --json` with a tiny configuration is checked for its keys.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSplit } from '../src/dataset/reader.ts';
import { MotifEngine } from '../src/inference/engine.ts';
import { musicalityByGenre } from '../src/eval/aggregate.ts';
import { barFingerprints } from '../src/eval/bar-fingerprints.ts';
import { loadBarIndex, longestTrainingRun } from '../src/eval/bar-index.ts';
import { runBench } from '../src/eval/bench.ts';
import { findCaptionOverlap } from '../src/eval/caption-overlap.ts';
import { datasetTokenizer } from '../src/eval/dataset-match.ts';
import { judgePiece } from '../src/eval/judge.ts';
import { evalMarkdown } from '../src/eval/markdown.ts';
import { evalPlot } from '../src/eval/plot.ts';
import { parseKeyName, parsePromptFile, PromptFileError } from '../src/eval/prompt-file.ts';
import { runEval, type EvalReport } from '../src/eval/run-eval.ts';
import { closeRenderThreads } from '../src/render/index.ts';
import { DRUMS, type Score } from '../src/music/score.ts';
import { encodeScore } from '../src/tokens/tokenizer.ts';
import { withoutData } from './helpers/data.ts';
import { MODEL_DIR, modelDataset, withoutModel, withoutModelDataset } from './helpers/model.ts';

const piece = (bpm: number, meter: [number, number], programs: number[]): Score => ({
  tempos: [{ tick: 0, bpm }],
  timeSignatures: [{ tick: 0, numerator: meter[0], denominator: meter[1] }],
  tracks: programs.map((program) => ({
    program: program === DRUMS ? 0 : program,
    isDrum: program === DRUMS,
    name: '',
    // A D minor arpeggio, one note a beat, for 4 bars of the meter.
    notes: Array.from({ length: 4 * meter[0] }, (_, i) => ({ onset: i * 12, duration: 12, pitch: program === DRUMS ? 36 : [62, 65, 69, 74][i % 4], velocity: 90 })),
  })),
});

describe('prompt file', () => {
  it('reads key names, meters, GM instruments and keeps genre, mood and unknown fields', () => {
    expect(parseKeyName('D minor')).toEqual({ tonic: 2, mode: 'minor' });
    expect(parseKeyName('Bb major')).toEqual({ tonic: 10, mode: 'major' });
    expect(parseKeyName('c# min')).toEqual({ tonic: 1, mode: 'minor' });
    expect(parseKeyName('b minor')).toEqual({ tonic: 11, mode: 'minor' });
    expect(parseKeyName('H major')).toBeUndefined();
    const [first, second] = parsePromptFile([
      '{"prompt": "sad strings", "expect": {"key": "D minor", "timeSignature": "3/4", "instruments": ["string ensemble 1", "cello"], "tempoMin": 60, "mood": "sad", "genre": "film", "takes": 3}}',
      '',
      '{"prompt": "", "expect": {"error": true}}',
    ].join('\n'));
    expect(first.expectation).toEqual({ error: false, key: { tonic: 2, mode: 'minor' }, timeSignature: [3, 4], instruments: [42, 48], tempoRange: [60, 299] });
    expect(first.notScored).toEqual({ mood: 'sad', genre: 'film' });
    expect(first.unknown).toEqual({ takes: 3 });
    expect(second.line).toBe(3);
    expect(second.expectation.error).toBe(true);
  });

  it('names the line and field of a bad expectation', () => {
    expect(() => parsePromptFile('{"prompt": "x", "expect": {}}\n{"prompt": "y", "expect": {"instruments": ["kazoo"]}}', 'p.jsonl'))
      .toThrow(/p\.jsonl:2: expect\.instruments\.0: "kazoo" is not a GM program name/);
    expect(() => parsePromptFile('{"prompt": "x", "expect": {"key": "D dorian"}}')).toThrow(PromptFileError);
    expect(() => parsePromptFile('{"prompt": "x", "expect": {"timeSignature": "13/7"}}')).toThrow(/no token/);
    expect(() => parsePromptFile('not json')).toThrow(/prompts:1: not JSON/);
  });

  it('parses the shipped prompt set', async () => {
    const { readPromptFile } = await import('../src/eval/prompt-file.ts');
    const prompts = readPromptFile('eval/prompts.jsonl');
    expect(prompts.length).toBeGreaterThanOrEqual(100);
    expect(prompts.filter((item) => item.expectation.error).length).toBeGreaterThanOrEqual(5);
  });
});

describe('judge', () => {
  it('scores what the notes show, not what was asked', () => {
    const dMinorPiano = piece(100, [3, 4], [0, DRUMS]);
    const checks = judgePiece({ error: false, bpm: 100, timeSignature: [3, 4], key: { tonic: 2, mode: 'minor' }, instruments: [0, 40], drums: true, tempoRange: [60, 90] }, dMinorPiano);
    expect(checks).toEqual({
      composed: 1, bpm: 1, tempoBin: 1, tempoBinNear: 1, tempoRange: 0, key: 1, keyOrRelative: 1, timeSignature: 1,
      instrumentRecall: 0.5, instrumentPrecision: 1, drums: 1,
    });
    expect(judgePiece({ error: true }, dMinorPiano)).toEqual({ refusal: 0 });
    const wrong = judgePiece({ error: false, bpm: 140, key: { tonic: 5, mode: 'major' }, timeSignature: [4, 4], drums: false }, dMinorPiano);
    expect(wrong).toMatchObject({ bpm: 0, tempoBin: 0, tempoBinNear: 0, key: 0, keyOrRelative: 1, timeSignature: 0, drums: 0 });
  });

  it('counts the bars a piece writes, even when its last note rings over the final bar line', () => {
    const fourBars = piece(100, [4, 4], [0]);
    expect(judgePiece({ error: false, bars: 4 }, fourBars).bars).toBe(1);
    fourBars.tracks[0].notes.at(-1)!.duration = 48;
    expect(judgePiece({ error: false, bars: 4 }, fourBars).bars).toBe(1);
    expect(judgePiece({ error: false, bars: 5 }, fourBars).bars).toBe(0);
    fourBars.tracks[0].notes.push({ onset: 4 * 48, duration: 12, pitch: 62, velocity: 90 });
    expect(judgePiece({ error: false, bars: 4 }, fourBars).bars).toBe(0);
  });
});

describe('musicality by genre', () => {
  it('takes medians per expected genre over composed runs, most runs first', () => {
    const run = (genre: string | undefined, emptyBeatRate: number, drumBarAgreement: number | null) => ({
      expect: genre ? { genre } : {},
      musicality: { emptyBeatRate, drumBarAgreement },
    });
    const table = musicalityByGenre([
      run('jazz', 0.5, null), run('lo-fi', 0.1, 0.5), run('lo-fi', 0.3, 1), run('lo-fi', 0.2, null), run(undefined, 0.9, 1),
      { expect: { genre: 'jazz' } }, // refused: no musicality
    ]);
    expect(table.map(({ genre, runs }) => [genre, runs])).toEqual([['lo-fi', 3], ['jazz', 1]]);
    expect(table[0].medians.emptyBeatRate).toBeCloseTo(0.2, 10);
    expect(table[0].medians.drumBarAgreement).toBeCloseTo(0.75, 10);
    expect(table[1].medians.drumBarAgreement).toBeNaN();
  });
});

describe('bar fingerprints', () => {
  it('depend on the notes, not on their order or velocity, and mark empty bars 0', () => {
    const score = piece(120, [4, 4], [0, 33]);
    const base = barFingerprints(encodeScore(score, { bars: 5 }));
    expect(base.all).toHaveLength(5);
    expect(base.all[4]).toBe(0);
    expect(new Set(Array.from(base.all).slice(0, 4)).size).toBe(1);
    const louder = { ...score, tracks: score.tracks.map((track) => ({ ...track, notes: track.notes.map((note) => ({ ...note, velocity: 30 })) })) };
    expect(barFingerprints(encodeScore(louder, { bars: 5 })).all).toEqual(base.all);
    const moved = { ...score, tracks: [{ ...score.tracks[0], notes: score.tracks[0].notes.map((note) => ({ ...note, pitch: note.pitch + 1 })) }, score.tracks[1]] };
    expect(barFingerprints(encodeScore(moved, { bars: 5 })).all[0]).not.toBe(base.all[0]);
    const withDrums = piece(120, [4, 4], [0, 33, DRUMS]);
    const drummed = barFingerprints(encodeScore(withDrums, { bars: 4 }));
    expect(drummed.all[0]).not.toBe(base.all[0]);
    expect(drummed.pitched[0]).toBe(base.pitched[0]);
  });
});

describe.skipIf(withoutModel())('motif eval with the smoke model', () => {
  let engine: MotifEngine;
  let report: EvalReport;
  let dir: string;
  const dataset = modelDataset();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'motif-eval-'));
    const file = path.join(dir, 'prompts.jsonl');
    await writeFile(file, [
      { prompt: 'calm piano at 100 bpm in 3/4, 4 bars', expect: { bpm: 100, timeSignature: '3/4', instruments: ['acoustic grand piano'], bars: 4, mood: 'calm', takes: 2 } },
      { prompt: 'sad strings in D minor at 70 bpm, no drums', expect: { bpm: 70, key: 'D minor', drums: false, mood: 'sad' } },
      { prompt: 'a drum groove at 90 bpm, 2 bars', expect: { bpm: 90, drums: true, genre: 'funk' } },
      { prompt: '9000 bpm techno', expect: { error: true } },
    ].map((line) => JSON.stringify(line)).join('\n'));
    engine = await MotifEngine.load({ modelDir: MODEL_DIR, threads: 1, defaultMaxBars: 8 });
    const { readPromptFile } = await import('../src/eval/prompt-file.ts');
    report = await runEval({ engine, prompts: readPromptFile(file), promptsSource: file, seeds: 1, testSplit: 3, modelDir: MODEL_DIR, concurrency: 2 });
  });
  afterAll(async () => {
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('composes the valid prompts and refuses the error prompt with a message', () => {
    expect(report.outcomes).toEqual({ composed: 3, refused: 1, failed: 0 });
    const refused = report.runs.find((run) => run.outcome === 'refused')!;
    expect(refused.line).toBe(4);
    expect(refused.message).toMatch(/BPM/);
    expect(report.attributes.refusal).toEqual({ count: 1, mean: 1 });
    expect(report.attributes.composed).toEqual({ count: 3, mean: 1 });
  });

  it('measures forced attributes as kept', () => {
    // The engine forces a stated BPM, meter, instrument and drums, so the notes must show them.
    expect(report.attributes.bpm).toEqual({ count: 3, mean: 1 });
    expect(report.attributes.tempoBin).toEqual({ count: 3, mean: 1 });
    expect(report.attributes.timeSignature).toEqual({ count: 1, mean: 1 });
    expect(report.attributes.instrumentRecall).toEqual({ count: 1, mean: 1 });
    expect(report.attributes.drums).toEqual({ count: 2, mean: 1 });
    expect(report.attributes.key?.count).toBe(1);
    expect(report.attributes.bars?.count).toBe(1);
    const piano = report.runs[0];
    expect(piano.measured).toMatchObject({ bpm: 100, timeSignature: '3/4', headerBars: 4 });
    expect(piano.measured!.instruments).toContain('acoustic grand piano');
    expect(report.overall.runs).toBe(4);
    expect(report.overall.attributeMean).toBeGreaterThan(0.5);
  });

  it('keeps genre, mood and unknown fields unscored', () => {
    expect(report.notScored).toEqual({ mood: 2, genre: 1 });
    expect(report.unknownFields).toEqual({ takes: 1 });
    expect(report.runs[0].unknown).toEqual({ takes: 2 });
    expect(report.runs[0].checks).not.toHaveProperty('mood');
  });

  it('sets musicality beside the real-song reference', () => {
    expect(report.musicality.pitchClassEntropy.generated.count).toBeGreaterThanOrEqual(2);
    expect(report.musicality.pitchClassEntropy.reference?.count).toBeGreaterThan(800);
    for (const run of report.runs.filter((item) => item.outcome === 'composed')) {
      expect(run.musicality!.grooveConsistency === null || (run.musicality!.grooveConsistency >= 0 && run.musicality!.grooveConsistency <= 1)).toBe(true);
    }
  });

  it.skipIf(withoutModelDataset())('checks originality, caption overlap and the test split against the dataset', () => {
    if ('skipped' in report.originality || 'skipped' in report.captionOverlap || 'skipped' in report.testSplit) throw new Error('dataset sections skipped');
    expect(report.originality.all.pieces).toBe(3);
    expect(report.captionOverlap.captions).toBe(dataset!.index.splits.train.captions);
    expect(report.captionOverlap.matches).toEqual([]);
    expect(report.testSplit.examples).toBe(3);
    expect(report.testSplit.composed + report.testSplit.items.filter((item) => item.error).length).toBe(3);
    const composedItems = report.testSplit.items.filter((item) => item.output !== null);
    expect(report.testSplit.TB).toBeCloseTo((100 * composedItems.filter((item) => item.TB).length) / composedItems.length, 6);
    expect(report.testSplit.TBT).toBeGreaterThanOrEqual(report.testSplit.TB);
    expect(report.testSplit.published.text2midi.TB).toBe(39.7);
  });

  it('writes a markdown table and a PNG plot', () => {
    const markdown = evalMarkdown(report);
    expect(markdown).toContain('| exact BPM | 3 | 100.0% |');
    expect(markdown).toContain('| refused with a message (error prompts) | 1 | 100.0% |');
    expect(markdown).toMatch(/\| pitchClassEntropy \| \d+ \|/);
    const png = PNG.sync.read(Buffer.from(evalPlot(report)));
    expect(png.width).toBe(1000);
    expect(png.height).toBeGreaterThan(500);
  });
});

describe.skipIf(withoutModelDataset())('originality index and caption overlap on the training data', () => {
  it('finds a training example in full, and a train caption among the prompts', () => {
    const dataset = modelDataset()!;
    const { index } = loadBarIndex(dataset.dir);
    const train = readSplit(dataset.dir, 'train');
    const example = Math.floor(train.count / 2);
    const prints = barFingerprints(train.music(example));
    const found = longestTrainingRun(index.tables.all, prints.all);
    expect(found.bars).toBeGreaterThan(0);
    expect(found.longestRun).toBe(found.bars);
    expect(found.inTraining).toBe(1);
    // A piece of its first half with the bars reversed keeps every bar but breaks every run of two.
    const nonEmpty = Array.from(prints.all).filter((hash) => hash !== 0);
    const distinct = new Set(nonEmpty).size === nonEmpty.length;
    if (distinct && nonEmpty.length >= 3) expect(longestTrainingRun(index.tables.all, [...nonEmpty].reverse()).longestRun).toBeLessThan(nonEmpty.length);

    const caption = datasetTokenizer(dataset).decode(Array.from(train.captions(example)[0]));
    const overlap = findCaptionOverlap(dataset, [{ line: 1, prompt: caption.toUpperCase() }, { line: 2, prompt: 'no caption says exactly this, surely' }]);
    expect(overlap.matches.map((match) => match.line)).toEqual([1]);
  });
});

describe.skipIf(withoutModel() || withoutData())('motif bench', () => {
  afterAll(async () => {
    await closeRenderThreads();
  });

  // Every figure of the real command, rendering included: longer than the default test timeout on two cores.
  it('reports every figure with --runs 1', async () => {
    const report = await runBench({ runs: 1, steps: 8, kvTokens: 64, kvStride: 8, seconds: 8, engine: { modelDir: MODEL_DIR, threads: 1 }, baselineModel: MODEL_DIR });
    expect(report.modelId).toMatch(/^motif-/);
    expect(report.compose30s.p50Ms).toBeGreaterThan(0);
    expect(report.compose30s.p95Ms).toBeGreaterThanOrEqual(report.compose30s.p50Ms);
    for (const key of ['batch1TokPerS', 'batch4TokPerS', 'batch8TokPerS', 'batch1At1000TokPerS'] as const) expect(report.decode[key]).toBeGreaterThan(0);
    expect(report.decode.longContext.context).toBe(1000);
    // The sessions in a worker leave this thread less busy than the same steps in it, which are busy throughout.
    expect(report.threads.worker.busyMsPerStep).toBeLessThan(report.threads.inThread.busyMsPerStep);
    expect(report.baselineExport?.baseline.cached.map((rate) => rate.batch)).toEqual([1, 8]);
    // The dense request: the same seconds at a faster tempo hold more bars than the 120 bpm piece.
    expect(report.dense30s.bpm).toBe(250);
    expect(report.dense30s.bars).toBeGreaterThan(4);
    expect(report.dense30s.tokens).toBeGreaterThan(0);
    expect(report.kvCache.tokens).toBe(64);
    expect(report.kvCacheSpeedup1000).toBeGreaterThan(0);
    expect(report.renderRealtimeX).toBeGreaterThan(1);
    expect(report.opusEncodeMs).toBeGreaterThan(0);
    expect(report.endToEndMs).toBeGreaterThan(report.compose30s.minMs);
    // A real song of the shared data with 8+ tracks, through our encoder and through ffmpeg's as the baseline.
    expect(report.renderSong?.tracks).toBeGreaterThanOrEqual(8);
    expect(report.renderSong?.audioSeconds).toBeGreaterThanOrEqual(8);
    expect(report.renderSong?.baselineEncodeMs).toBeGreaterThan(0);
    expect(report.renderSong?.totalMs).toBeGreaterThan(report.renderSong!.synthMs);
    // The first such song of each genre folder: several genres, each with 8+ tracks, the median within the range.
    const genres = report.renderGenres!;
    expect(new Set(genres.songs.map((song) => song.source.split('/')[0])).size).toBe(genres.songs.length);
    expect(genres.songs.length).toBeGreaterThanOrEqual(4);
    for (const song of genres.songs) expect(song.tracks).toBeGreaterThanOrEqual(8);
    expect(genres.medianTotalMs).toBeLessThanOrEqual(genres.worstTotalMs);
    expect(genres.medianSynthRealtimeX).toBeGreaterThanOrEqual(genres.worstSynthRealtimeX);
    // The composed piece asks for seven instruments and drums.
    expect(report.renderEnsemble.tracks).toBeGreaterThanOrEqual(6);
    expect(report.renderEnsemble.totalMs).toBeGreaterThan(report.renderEnsemble.synthMs);
    expect(report.peakRssMb).toBeGreaterThan(50);
  }, 300_000);
});
