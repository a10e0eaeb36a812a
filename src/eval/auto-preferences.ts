/**
 * Automatic preferences (docs/PREFERENCES.md): each prompt composed as several takes by the engine, exactly as the
 * bot composes them, each take scored by the music reward (music-reward.ts), and the best and the worst written as a
 * pair in the vote pairs' format, marked `automatic`. A stand-in until people have voted, and a regularizer beside
 * their votes after; never a replacement for them.
 */
import { isUserFacing, type MotifEngine } from '../inference/index.ts';
import { forcedTokenCount } from '../inference/forced-tokens.ts';
import type { ReferenceMetrics } from '../dataset/reference-metrics.ts';
import { preferencePair, type PairSide, type PreferencePair, type PromptEncoder } from '../store/preferences.ts';
import { mapConcurrent } from './concurrent.ts';
import { expectationOf, musicReward } from './music-reward.ts';
import type { Expectation } from './prompt-file.ts';

export interface AutoPrompt {
  prompt: string;
  /** What to check the takes against; by default what the engine read from the prompt. */
  expectation?: Expectation;
}

export interface AutoPreferenceOptions {
  engine: MotifEngine;
  prompts: readonly AutoPrompt[];
  /** Takes per prompt (2 or more). */
  takes: number;
  /** Seeds firstSeed .. firstSeed + takes - 1 for every prompt, so a run can be repeated. */
  firstSeed: number;
  /** Least reward difference between the best and the worst take for a pair. */
  minMargin: number;
  reference: ReferenceMetrics;
  text: PromptEncoder;
  concurrency: number;
  log?: (line: string) => void;
}

export interface AutoPreferenceResult {
  pairs: PreferencePair[];
  /** Prompts that gave fewer than two takes (the engine refused them). */
  refused: string[];
  /** Prompts whose best and worst takes scored closer than minMargin. */
  tooClose: number;
  /** Mean reward of the chosen and of the rejected takes. */
  meanChosen: number;
  meanRejected: number;
}

const mean = (values: readonly number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : NaN);

/** Whether the prompt file states anything the notes can show (an eval prompt file's `expect`). */
const hasExpectation = (expectation: Expectation | undefined): expectation is Expectation =>
  expectation !== undefined && Object.keys(expectation).some((field) => field !== 'error');

export async function autoPreferences(options: AutoPreferenceOptions): Promise<AutoPreferenceResult> {
  if (!Number.isInteger(options.takes) || options.takes < 2) throw new RangeError('automatic preferences need 2 or more takes per prompt');
  const { engine } = options;
  const log = options.log ?? (() => {});
  const jobs = options.prompts.flatMap((item, promptIndex) => Array.from({ length: options.takes }, (_, k) => ({ item, promptIndex, seed: options.firstSeed + k })));
  let done = 0;
  // A take, or the engine's refusal of its prompt.
  const scored = await mapConcurrent(jobs, options.concurrency, async ({ item, seed }): Promise<PairSide | string> => {
    try {
      const piece = await engine.compose({ prompt: item.prompt, seed });
      const expectation = hasExpectation(item.expectation) ? item.expectation : expectationOf(piece.attributes);
      const { reward } = musicReward(piece.score, expectation, options.reference);
      return { take: null, seed, tokens: piece.tokens, forced: forcedTokenCount(piece), modelId: piece.modelId, sampling: { ...engine.sampling }, score: reward };
    } catch (error) {
      if (!isUserFacing(error)) throw error;
      return (error as Error).message;
    } finally {
      done += 1;
      if (done % 10 === 0 || done === jobs.length) log(`takes: ${done}/${jobs.length}`);
    }
  });

  const pairs: PreferencePair[] = [];
  const refused: string[] = [];
  let tooClose = 0;
  options.prompts.forEach((item, promptIndex) => {
    const sides = scored.slice(promptIndex * options.takes, (promptIndex + 1) * options.takes).filter((take): take is PairSide => typeof take !== 'string');
    if (sides.length < 2) {
      refused.push(item.prompt);
      return;
    }
    const ranked = [...sides].sort((a, b) => b.score - a.score);
    const [best, worst] = [ranked[0], ranked[ranked.length - 1]];
    const pair = best.score - worst.score >= options.minMargin
      ? preferencePair({ source: 'automatic', conditioning: 'compose', prompt: item.prompt, text: options.text }, best, worst)
      : undefined;
    if (pair) pairs.push(pair);
    else tooClose += 1;
  });
  return {
    pairs, refused, tooClose,
    meanChosen: mean(pairs.map((pair) => pair.chosen.score)),
    meanRejected: mean(pairs.map((pair) => pair.rejected.score)),
  };
}
