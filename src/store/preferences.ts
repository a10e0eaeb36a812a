/**
 * Preference pairs for fine-tuning (training/dpo.py), in the versioned format of docs/PREFERENCES.md: two takes
 * composed under the same conditioning, the better one chosen. The same conditioning means the same request, the
 * same parent and the same text: the takes of one /compose and its regenerations, or two variations of a take by the
 * same words, or two extensions of it (their forced prefixes are then the same too). A variation is never compared
 * with its parent: the parent was sampled from another prompt and without the variation's forced prefix, so a
 * preferred parent would teach the model to ignore the instruction.
 *
 * Every pair carries what training needs and nothing it must guess: the caption's text ids as the model's text
 * tokenizer encodes the prompt, both takes' full token ids, how many leading tokens of each the engine forced (the
 * header and any kept prefix, never trained on), the sampling settings and the model ids.
 */
import { headerLength } from '../tokens/tokenizer.ts';
import type { ScoredTake, TakeOrigin, TakeSampling } from './types.ts';

export const PREFERENCE_FORMAT = 'motif-preference-v1';

/** Where the preference came from: people's votes, or the reward computed from the music (src/eval/music-reward.ts). */
export type PairSource = 'votes' | 'automatic';

/** What both takes are: new pieces (a /compose and its regenerations), variations of one take, extensions of one take. */
export type PairConditioning = 'compose' | 'variation' | 'extension';

export interface PairSide {
  /** The stored take; null for automatic pairs, whose takes are not stored. */
  take: number | null;
  seed: number;
  /** BOS to EOS, as composed. */
  tokens: number[];
  /** Leading tokens the engine forced (the header, a kept prefix): the preference is about tokens[forced:] only. */
  forced: number;
  modelId: string;
  /** Null for takes stored before the sampling was recorded. */
  sampling: TakeSampling | null;
  /** Votes: up minus down. Automatic: the reward. */
  score: number;
}

export interface PreferencePair {
  format: typeof PREFERENCE_FORMAT;
  source: PairSource;
  conditioning: PairConditioning;
  /** The text the model was conditioned on (a variation's is its parent's prompt and the instruction). */
  prompt: string;
  /** The variation's instruction (variation pairs). */
  instruction?: string;
  /** The stored request both takes belong to; null for automatic pairs. */
  request: number | null;
  /** The prompt as the text tokenizer encodes it for the model (BOS first, cut to the model's text length). */
  textIds: number[];
  /** The hash of that tokenizer (a manifest's text_vocab_hash): training refuses ids of another tokenizer. */
  textTokenizer: string;
  chosen: PairSide;
  rejected: PairSide;
  /** chosen.score - rejected.score, above 0. */
  margin: number;
}

/** The text tokenizer of the model that will learn from the pairs. */
export interface PromptEncoder {
  hash: string;
  encode(text: string): number[];
}

export interface PairInput {
  source: PairSource;
  conditioning: PairConditioning;
  prompt: string;
  instruction?: string;
  request?: number | null;
  text: PromptEncoder;
}

/** The pair of two scored sides, the higher score chosen; undefined when they tie. */
export function preferencePair(input: PairInput, a: PairSide, b: PairSide): PreferencePair | undefined {
  const margin = a.score - b.score;
  if (margin === 0) return undefined;
  const [chosen, rejected] = margin > 0 ? [a, b] : [b, a];
  return {
    format: PREFERENCE_FORMAT, source: input.source, conditioning: input.conditioning, prompt: input.prompt,
    ...(input.instruction !== undefined ? { instruction: input.instruction } : {}),
    request: input.request ?? null, textIds: input.text.encode(input.prompt), textTokenizer: input.text.hash,
    chosen, rejected, margin: Math.abs(margin),
  };
}

const CONDITIONING: Record<TakeOrigin, PairConditioning> = {
  compose: 'compose', regenerate: 'compose', variation: 'variation', extension: 'extension',
};

/**
 * Forced tokens of a stored take: as recorded, else (takes stored before it was) the header for a new piece, which
 * forces nothing else; unknown for an older variation or extension, whose kept prefix was not recorded.
 */
export function forcedTokensOf(take: Pick<ScoredTake, 'forcedTokens' | 'origin' | 'tokens'>): number | undefined {
  if (take.forcedTokens !== null) return take.forcedTokens;
  return CONDITIONING[take.origin] === 'compose' ? headerLength(take.tokens) : undefined;
}

export interface VotePairs {
  pairs: PreferencePair[];
  /** Takes with votes left out because their forced prefix is unknown (variations and extensions stored before it was recorded). */
  unknownForced: number;
}

/** Every pair of voted takes composed under the same conditioning whose scores differ by `minMargin` or more. */
export function votePairs(takes: readonly ScoredTake[], text: PromptEncoder, minMargin = 1): VotePairs {
  const families = new Map<string, { take: ScoredTake; side: PairSide }[]>();
  let unknownForced = 0;
  for (const take of takes) {
    const forced = forcedTokensOf(take);
    if (forced === undefined) {
      unknownForced += 1;
      continue;
    }
    const family = [take.requestId, take.parentTakeId ?? '', CONDITIONING[take.origin], take.prompt].join('\u0000');
    const side: PairSide = {
      take: take.id, seed: take.seed, tokens: [...take.tokens], forced, modelId: take.modelId, sampling: take.sampling,
      score: take.votes.up - take.votes.down,
    };
    families.set(family, [...(families.get(family) ?? []), { take, side }]);
  }
  const pairs: PreferencePair[] = [];
  for (const members of families.values()) {
    const { take } = members[0];
    const input: PairInput = {
      source: 'votes', conditioning: CONDITIONING[take.origin], prompt: take.prompt, request: take.requestId, text,
      ...(take.instruction !== null ? { instruction: take.instruction } : {}),
    };
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const pair = preferencePair(input, members[i].side, members[j].side);
        if (pair && pair.margin >= minMargin) pairs.push(pair);
      }
    }
  }
  return { pairs, unknownForced };
}

/** Pairs as the JSON-lines file training reads: one pair a line. */
export function preferenceLines(pairs: readonly PreferencePair[]): string {
  return pairs.map((pair) => `${JSON.stringify(pair)}\n`).join('');
}
