/**
 * One request's decoding state, apart from the model: its tokens and grammar, the tokens decided but not yet fed to
 * the model, the forced header and prefix, sampling, limits, and the sliding window. The scheduler feeds it logits;
 * it says what to feed next. Every token passes the grammar, so whatever happens the result decodes to a score.
 */
import { barPositionIds, nextBarPosition } from '../tokens/bar-position.ts';
import { GrammarState, validationError } from '../tokens/grammar.ts';
import { createRandom, type Random } from '../music/random.ts';
import { BAR, BOS as MUSIC_BOS, EOS, MAX_BARS, tokenId, tokenName, tokenType, tokenValue } from '../tokens/vocab.ts';
import { BOS as TEXT_BOS } from '../text/text-tokenizer.ts';
import { GenerationTimeoutError } from './errors.ts';
import { restrictBody, restrictHeader, type HeaderSpec } from './header-spec.ts';
import { keepRoomForNamedInstruments } from './must-play.ts';
import { applyKeyPrior, keyPriorBias } from './key-prior.ts';
import { MaskProcessor, applyGuidance, samplingChain, type LogitsProcessor, type Sampler, type SamplingOptions } from './logits.ts';
import type { CrossState, KvCache } from './tensors.ts';
import { slidingWindow } from './window.ts';

export interface GenerationPlan {
  /** Caption ids of the conditional row (BOS first). */
  textIds: number[];
  /** Narrows the header slots that `forced` does not cover. */
  spec: HeaderSpec;
  /** Tokens forced from the start (BOS first): a whole header and body prefix for variations; [] to compose. */
  forced: number[];
  seed: number;
  sampling: SamplingOptions;
  /** Most tokens written after the forced ones. */
  maxNewTokens: number;
  /** Date.now() after which the piece is closed where it stands. */
  deadline: number;
  /** Tokens the model may see at once (at most the manifest's max_music_len). */
  contextLimit: number;
  /**
   * Instruments the request named (drums = DRUMS): until each has played, its instrument token is favoured, and in a
   * piece of fixed length the last bar keeps room for it (`must-play.ts`).
   */
  mustPlay?: number[];
}

/** Logit added to a named instrument that has not played yet: a nudge the model can still overrule. */
export const MUST_PLAY_BIAS = 4;

export type FinishReason = 'eos' | 'max-tokens' | 'deadline';

/** What the scheduler should do with a generation next. */
export type Decision = 'feed' | 'done';

export class Generation {
  readonly plan: GenerationPlan;
  /** 2 with classifier-free guidance (conditional row, then unconditional), else 1. */
  readonly rows: 1 | 2;
  readonly tokens: number[] = [];
  /** Decided tokens the model has not read yet (the last ones of `tokens`). */
  pending: number[] = [];
  /** The bar position of each pending token in the model's view (bar-position.ts), for a metrical model. */
  pendingBarPositions: number[] = [];
  /** Tokens of this piece in the model's cache. */
  contextLength = 0;
  /** The cache while outside a batch. */
  cache: KvCache | undefined;
  cross: CrossState | undefined;
  finish: FinishReason | undefined;
  /** Times the sliding window moved. */
  windows = 0;
  /** Tokens sampled from the model (not forced). */
  sampled = 0;

  private readonly grammar = new GrammarState();
  private readonly mask: Uint8Array;
  private readonly processors: LogitsProcessor[];
  private readonly sampler: Sampler;
  private readonly random: Random;
  private forcedIndex = 0;
  private newTokens = 0;
  private headerDone = false;
  /** Instruments still to be heard (token ids). */
  private readonly unplayed: Set<number>;
  /** The lowest of them as an instrument id, -1 when none is left. */
  private firstUnplayed = -1;
  /** Logit bonus per pitch class from the header's key, once it is written. */
  private keyBias: Float32Array | undefined;
  /** The bar position of the last token of the model's view. */
  private viewBarPosition = 0;

  constructor(plan: GenerationPlan, vocabSize: number) {
    if (plan.forced.length > 0 && plan.forced[0] !== MUSIC_BOS) throw new RangeError('forced tokens start with BOS');
    this.plan = plan;
    this.rows = plan.sampling.guidance === 1 ? 1 : 2;
    this.mask = new Uint8Array(vocabSize);
    const chain = samplingChain(plan.sampling);
    this.processors = [new MaskProcessor(this.mask), ...chain.processors];
    this.sampler = chain.sampler;
    this.random = createRandom(plan.seed);
    this.unplayed = new Set((plan.mustPlay ?? []).map((id) => tokenId('instrument', id)));
    this.updateFirstUnplayed();
  }

  /** Caption ids per row: the caption, then the empty caption for the unconditional row. */
  captions(): number[][] {
    return this.rows === 2 ? [this.plan.textIds, [TEXT_BOS]] : [this.plan.textIds];
  }

  get done(): boolean {
    return this.finish !== undefined;
  }

  /** Closes the piece when its time is up; true when it did. */
  checkDeadline(now = Date.now()): boolean {
    if (this.finish === undefined && now >= this.plan.deadline) this.finish = 'deadline';
    return this.finish !== undefined;
  }

  /** Appends forced tokens and the grammar's only choices until the model must choose; 'done' once finished. */
  decide(): Decision {
    for (;;) {
      if (this.finish !== undefined) return 'done';
      if (this.grammar.done) {
        this.finish = 'eos';
        return 'done';
      }
      if (this.newTokens >= this.plan.maxNewTokens) {
        this.finish = 'max-tokens';
        return 'done';
      }
      if (this.checkDeadline()) return 'done';
      if (this.forcedIndex < this.plan.forced.length) {
        this.push(this.plan.forced[this.forcedIndex++], false);
        continue;
      }
      const only = this.fillMask();
      if (only >= 0) {
        this.push(only, true);
        continue;
      }
      return 'feed';
    }
  }

  /** Fills the mask for the next token; returns the token when exactly one is allowed, else -1. */
  private fillMask(): number {
    this.grammar.allowed(this.mask);
    if (!this.headerDone && this.tokens.length > 0) restrictHeader(this.mask, this.tokens, this.plan.spec);
    else if (this.headerDone) restrictBody(this.mask, this.plan.spec);
    if (this.headerDone) keepRoomForNamedInstruments(this.mask, this.grammar, this.firstUnplayed);
    let count = 0;
    let only = -1;
    for (let id = 0; id < this.mask.length; id++) {
      if (this.mask[id]) {
        count += 1;
        only = id;
      }
    }
    if (count === 0) {
      throw new Error(`no token can follow ${this.tokens.slice(-8).map(tokenName).join(' ')} under the request's header constraints`);
    }
    return count === 1 ? only : -1;
  }

  /**
   * Picks the next token from the logits of the last fed position: `cond` (and `uncond` with guidance) are views
   * the caller gives up; they are changed in place.
   */
  choose(cond: Float32Array, uncond?: Float32Array): number {
    if (uncond) applyGuidance(cond, uncond, this.plan.sampling.guidance);
    if (this.headerDone) for (const id of this.unplayed) cond[id] += MUST_PLAY_BIAS;
    if (this.headerDone && this.keyBias) applyKeyPrior(cond, this.keyBias);
    for (const processor of this.processors) processor.process(cond);
    const token = this.sampler.sample(cond, this.random);
    this.sampled += 1;
    this.push(token, true);
    return token;
  }

  private push(token: number, counts: boolean): void {
    this.grammar.step(token);
    this.tokens.push(token);
    this.pending.push(token);
    this.viewBarPosition = nextBarPosition(this.viewBarPosition, token);
    this.pendingBarPositions.push(this.viewBarPosition);
    if (counts) this.newTokens += 1;
    if (tokenType(token) === 'key') {
      this.keyBias = keyPriorBias(token, this.plan.sampling.keyPrior ?? 0);
    } else if (tokenType(token) === 'bars') {
      this.headerDone = true;
      // Only header instruments can play; one left out (a forced header) must not hold the piece open.
      for (const id of this.unplayed) if (!this.tokens.includes(id)) this.unplayed.delete(id);
      this.updateFirstUnplayed();
    } else if (this.headerDone && this.unplayed.delete(token)) {
      this.updateFirstUnplayed();
    }
  }

  private updateFirstUnplayed(): void {
    let first = -1;
    for (const id of this.unplayed) if (first < 0 || id < first) first = id;
    this.firstUnplayed = first < 0 ? -1 : tokenValue(first);
  }

  /** The model has read the first `count` pending tokens. */
  consumed(count: number): void {
    this.pending.splice(0, count);
    this.pendingBarPositions.splice(0, count);
    this.contextLength += count;
  }

  /** Moves the window when the pending tokens do not fit in the context; true when the cache must start over. */
  slideIfNeeded(): boolean {
    if (this.contextLength + this.pending.length <= this.plan.contextLimit) return false;
    this.pending = slidingWindow(this.tokens, Math.floor(this.plan.contextLimit / 2));
    this.pendingBarPositions = barPositionIds(this.pending);
    this.viewBarPosition = this.pendingBarPositions.at(-1) ?? 0;
    this.contextLength = 0;
    this.cache = undefined;
    this.windows += 1;
    return true;
  }

  /** The finished sequence, BOS to EOS. A piece cut short ends at its last complete note, its header saying how many bars it has. */
  result(): number[] {
    if (this.finish === 'eos') return [...this.tokens];
    return closeEarly(this.tokens, this.finish ?? 'deadline');
  }
}

/** Cuts a sequence after its last complete note where a bar or the end may follow, states the bars written, and ends it. */
export function closeEarly(tokens: readonly number[], reason: FinishReason): number[] {
  const grammar = new GrammarState();
  let barsIndex = -1;
  let cut = -1;
  let barsAtCut = 0;
  for (let i = 0; i < tokens.length; i++) {
    grammar.step(tokens[i]);
    if (tokenType(tokens[i]) === 'bars') barsIndex = i;
    // The last complete note: cutting there drops trailing empty bars and half-written notes alike.
    if (tokenType(tokens[i]) === 'duration' && (grammar.accepts(BAR) || grammar.accepts(EOS))) {
      cut = i;
      barsAtCut = grammar.barsWritten;
    }
  }
  if (cut < 0) {
    const why = reason === 'deadline' ? 'ran out of time' : 'reached its token limit';
    throw new GenerationTimeoutError(`The model ${why} before it wrote any music: try a shorter piece or try again later.`);
  }
  const closed = tokens.slice(0, cut + 1);
  const stated = tokens[barsIndex] - tokenId('bars', 0) + 1;
  if (!(stated === MAX_BARS && barsAtCut >= MAX_BARS)) closed[barsIndex] = tokenId('bars', Math.min(MAX_BARS, barsAtCut) - 1);
  closed.push(EOS);
  const problem = validationError(closed);
  if (problem) throw new Error(`closing a piece early produced an invalid sequence: ${problem}`);
  return closed;
}
