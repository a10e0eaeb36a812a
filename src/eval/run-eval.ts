/**
 * `motif eval`: every prompt of a prompt file composed with each seed (no audio), each piece judged against its
 * prompt's expectations and measured for musicality and originality; then the training-caption overlap check and
 * text2midi's protocol on the test split. Returns one JSON-ready report (docs/EVAL.md describes it).
 */
import path from 'node:path';
import type { MetricName } from '../dataset/reference-metrics.ts';
import { isUserFacing, type FinishReason, type MotifEngine } from '../inference/index.ts';
import { detectKey } from '../analysis/key-detection.ts';
import { summarize, type Summary } from '../analysis/metrics/index.ts';
import { aggregateChecks, compareMusicality, type MetricComparison, type Overall, type Rate } from './aggregate.ts';
import { FINGERPRINT_KINDS, barFingerprints, type FingerprintKind } from './bar-fingerprints.ts';
import { loadBarIndex, longestTrainingRun, type BarIndex, type TrainingRun } from './bar-index.ts';
import { findCaptionOverlap, type CaptionOverlap } from './caption-overlap.ts';
import { mapConcurrent } from './concurrent.ts';
import { findDataset, trainedSplits } from './dataset-match.ts';
import { judgePiece, judgeRefusal, measurePiece, musicalityOf, type CheckName, type Checks, type MeasuredPiece } from './judge.ts';
import type { EvalPrompt } from './prompt-file.ts';
import { loadReference } from './reference.ts';
import { runTestSplit, type TestSplitResult } from './test-split.ts';

export interface EvalOptions {
  engine: MotifEngine;
  prompts: EvalPrompt[];
  /** Where the prompts came from, for the report. */
  promptsSource: string;
  seeds: number;
  /** Test examples for text2midi's protocol; 0 skips it. */
  testSplit: number;
  /** A built dataset folder; by default the one whose text vocabulary is the model's (dataset-match.ts). */
  dataDir?: string;
  /** The model's folder, whose manifest may state the split sizes it was trained on (helps find its dataset). */
  modelDir?: string;
  /** Requests in flight at once (the engine decodes them as one batch). */
  concurrency: number;
  /** Extra settings to record (sampling defaults, limits). */
  settings?: Record<string, unknown>;
  log?: (line: string) => void;
}

export type Outcome = 'composed' | 'refused' | 'failed';

export interface EvalRun {
  line: number;
  prompt: string;
  seed: number;
  expect: Record<string, unknown>;
  outcome: Outcome;
  /** The refusal's message, or the failure. */
  message?: string;
  checks: Checks;
  measured?: MeasuredPiece;
  finish?: FinishReason;
  ms?: number;
  tokens?: number;
  musicality?: Record<MetricName, number | null>;
  originality?: Record<FingerprintKind, TrainingRun>;
  notScored: Record<string, unknown>;
  unknown: Record<string, unknown>;
}

export interface OriginalitySummary {
  /** Pieces with at least one non-empty bar. */
  pieces: number;
  longestRun: Summary;
  maxRun: number;
  /** The piece with the longest run. */
  maxAt: { line: number; prompt: string; seed: number; trainExample: number | null } | null;
  /** Share of a piece's non-empty bars found anywhere in the train split. */
  inTraining: Summary;
}

type Skipped = { skipped: string };

export interface EvalReport {
  format: 'motif-eval-v1';
  createdAt: string;
  model: { id: string; device: string };
  settings: Record<string, unknown> & { prompts: string; promptCount: number; seeds: number[]; testSplit: number; concurrency: number };
  dataset: { dir: string; matchesModel: boolean; how: string } | Skipped;
  attributes: Partial<Record<CheckName, Rate>>;
  overall: Overall;
  /** Runs per outcome. */
  outcomes: Record<Outcome, number>;
  /** Expectations kept but not scored (genre, mood), counted by field. */
  notScored: Record<string, number>;
  /** Fields of `expect` the harness does not know, counted by field. */
  unknownFields: Record<string, number>;
  musicality: Record<MetricName, MetricComparison>;
  originality: Record<FingerprintKind, OriginalitySummary> | Skipped;
  captionOverlap: CaptionOverlap | Skipped;
  testSplit: TestSplitResult | Skipped;
  timings: { totalMs: number; promptsMs: number; barIndexMs?: number; barIndexBuilt?: boolean; testSplitMs?: number };
  runs: EvalRun[];
}

/** How many prompts (not runs: each prompt runs once per seed) carry each field. */
function countFields(runs: readonly EvalRun[], field: 'notScored' | 'unknown'): Record<string, number> {
  const lines: Record<string, Set<number>> = {};
  for (const run of runs) for (const name of Object.keys(run[field])) (lines[name] ??= new Set()).add(run.line);
  return Object.fromEntries(Object.entries(lines).map(([name, set]) => [name, set.size]));
}

async function composeAndJudge(engine: MotifEngine, item: EvalPrompt, seed: number, index: BarIndex | undefined): Promise<EvalRun> {
  const base = { line: item.line, prompt: item.prompt, seed, expect: item.expect, notScored: item.notScored, unknown: item.unknown };
  const started = performance.now();
  try {
    const piece = await engine.compose({ prompt: item.prompt, seed });
    const key = detectKey(piece.score).key;
    const run: EvalRun = {
      ...base,
      outcome: 'composed',
      checks: judgePiece(item.expectation, piece.score, key),
      measured: measurePiece(piece.score, piece.header, key),
      finish: piece.finish,
      ms: performance.now() - started,
      tokens: piece.timings.tokens,
      musicality: musicalityOf(piece.score),
    };
    if (index) {
      const prints = barFingerprints(piece.tokens);
      run.originality = Object.fromEntries(FINGERPRINT_KINDS.map((kind) => [kind, longestTrainingRun(index.tables[kind], prints[kind])])) as Record<FingerprintKind, TrainingRun>;
    }
    return run;
  } catch (error) {
    // A user-facing error is a refusal; anything else is a fault of the engine, reported rather than fatal.
    const refused = isUserFacing(error);
    return {
      ...base,
      outcome: refused ? 'refused' : 'failed',
      message: refused ? (error as Error).message : String((error as Error).stack ?? error),
      checks: judgeRefusal(item.expectation, refused),
      ms: performance.now() - started,
    };
  }
}

function summarizeOriginality(runs: readonly EvalRun[]): Record<FingerprintKind, OriginalitySummary> {
  const result = {} as Record<FingerprintKind, OriginalitySummary>;
  for (const kind of FINGERPRINT_KINDS) {
    const measured = runs.filter((run) => run.originality && run.originality[kind].bars > 0);
    let maxAt: OriginalitySummary['maxAt'] = null;
    let maxRun = 0;
    for (const run of measured) {
      const found = run.originality![kind];
      if (found.longestRun > maxRun) {
        maxRun = found.longestRun;
        maxAt = { line: run.line, prompt: run.prompt, seed: run.seed, trainExample: found.trainExample };
      }
    }
    result[kind] = {
      pieces: measured.length,
      longestRun: summarize(measured.map((run) => run.originality![kind].longestRun)),
      maxRun,
      maxAt,
      inTraining: summarize(measured.map((run) => run.originality![kind].inTraining)),
    };
  }
  return result;
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const { engine } = options;
  const seeds = Array.from({ length: options.seeds }, (_, i) => i + 1);
  const timings: EvalReport['timings'] = { totalMs: 0, promptsMs: 0 };

  const lookup = findDataset(engine.model.manifest.text_vocab_hash, options.dataDir, options.modelDir ? trainedSplits(options.modelDir) : undefined);
  const dataset = lookup.found ? lookup.dataset : undefined;
  const noDataset: Skipped = { skipped: lookup.found ? '' : lookup.reason };
  let index: BarIndex | undefined;
  if (dataset) {
    log(`dataset ${path.relative(process.cwd(), dataset.dir) || '.'}${dataset.matchesModel ? '' : ' (its text vocabulary is not the model\'s)'}; loading the bar index`);
    const loaded = loadBarIndex(dataset.dir);
    index = loaded.index;
    timings.barIndexMs = loaded.ms;
    timings.barIndexBuilt = loaded.built;
  } else log(`no dataset: ${noDataset.skipped}`);

  const jobs = options.prompts.flatMap((item) => seeds.map((seed) => ({ item, seed })));
  const promptsStart = performance.now();
  let done = 0;
  const runs = await mapConcurrent(jobs, options.concurrency, async ({ item, seed }) => {
    const run = await composeAndJudge(engine, item, seed, index);
    done += 1;
    if (done % 10 === 0 || done === jobs.length) log(`prompts: ${done}/${jobs.length}`);
    return run;
  });
  timings.promptsMs = performance.now() - promptsStart;

  let testSplit: TestSplitResult | Skipped = { skipped: 'not asked for (--test-split 0)' };
  if (options.testSplit > 0) {
    if (!dataset) testSplit = noDataset;
    else {
      log(`test split: ${options.testSplit} captions`);
      const testStart = performance.now();
      testSplit = await runTestSplit(engine, dataset, options.testSplit, { concurrency: options.concurrency });
      timings.testSplitMs = performance.now() - testStart;
    }
  }

  const composed = runs.filter((run) => run.musicality);
  const { attributes, overall } = aggregateChecks(runs);
  const outcomes: Record<Outcome, number> = { composed: 0, refused: 0, failed: 0 };
  for (const run of runs) outcomes[run.outcome] += 1;
  const captionOverlap = dataset ? findCaptionOverlap(dataset, options.prompts) : noDataset;
  timings.totalMs = performance.now() - started;
  return {
    format: 'motif-eval-v1',
    createdAt: new Date().toISOString(),
    model: { id: engine.modelId, device: engine.device },
    settings: {
      ...options.settings,
      prompts: options.promptsSource,
      promptCount: options.prompts.length,
      seeds,
      testSplit: options.testSplit,
      concurrency: options.concurrency,
    },
    dataset: dataset ? { dir: dataset.dir, matchesModel: dataset.matchesModel, how: dataset.how } : noDataset,
    attributes,
    overall,
    outcomes,
    notScored: countFields(runs, 'notScored'),
    unknownFields: countFields(runs, 'unknown'),
    musicality: compareMusicality(composed.map((run) => run.musicality!), loadReference()),
    originality: index ? summarizeOriginality(runs) : noDataset,
    captionOverlap,
    testSplit,
    timings,
    runs,
  };
}
