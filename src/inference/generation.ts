/**
 * One request's decoding state, apart from the model: its tokens and grammar, the tokens decided but not yet fed to
 * the model with their bar positions, the forced prefix, limits, and the sliding window. The scheduler feeds it
 * logits; it runs its processor list and its sampler on them, and says what to feed next. Every token passes the
 * grammar, so whatever happens the result decodes to a score.
 */
import { barPositionIds, nextBarPosition } from '../tokens/bar-position.ts';
import { GrammarState } from '../tokens/grammar.ts';
import { createRandom, type Random } from '../music/random.ts';
import { BOS as MUSIC_BOS, tokenName, tokenType } from '../tokens/vocab.ts';
import { BOS as TEXT_BOS } from '../text/text-tokenizer.ts';
import { closeEarly, type FinishReason } from './close-early.ts';
import { GrammarMaskProcessor } from './grammar-mask.ts';
import { GuidanceProcessor } from './guidance.ts';
import { HeaderSpecProcessor, type HeaderSpec } from './header-spec.ts';
import { KeptPartProcessor, type KeptPart } from './kept-part.ts';
import { KeyPriorProcessor } from './key-prior.ts';
import { samplingChain, type Sampler, type SamplingOptions } from './logits.ts';
import type { LogitsProcessor } from './logits-processor.ts';
import { MustPlayProcessor } from './must-play.ts';
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
  /** Instruments the request named (drums = DRUMS), which the piece should let play (`must-play.ts`). */
  mustPlay?: number[];
  /** A part whose notes the piece must play as they are, while the model writes the rest (restyling, kept-part.ts). */
  keptPart?: KeptPart;
}

/**
 * The processors of a plan, in the order they run, and the sampler after them. Guidance comes first, as it makes the
 * step's logits out of the two rows; the grammar mask comes first among those that restrict, as it writes the allowed
 * set the others narrow. The nudges after the mask cannot bring a masked token back (-Infinity stays -Infinity), and
 * sampling comes last.
 */
export function decodingChain(plan: GenerationPlan): { processors: LogitsProcessor[]; sampler: Sampler } {
  const { sampling } = plan;
  const keyPrior = sampling.keyPrior ?? 0;
  const { processors: samplers, sampler } = samplingChain(sampling);
  const processors: LogitsProcessor[] = [
    ...(sampling.guidance === 1 ? [] : [new GuidanceProcessor(sampling.guidance)]),
    new GrammarMaskProcessor(),
    new HeaderSpecProcessor(plan.spec),
    ...(plan.mustPlay?.length ? [new MustPlayProcessor(plan.mustPlay)] : []),
    ...(plan.keptPart ? [new KeptPartProcessor(plan.keptPart)] : []),
    ...(keyPrior > 0 ? [new KeyPriorProcessor(keyPrior)] : []),
    ...samplers,
  ];
  return { processors, sampler };
}

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

  private readonly processors: LogitsProcessor[];
  private readonly sampler: Sampler;
  private readonly random: Random;
  /** What the processors read; one object for the whole generation, updated in place. */
  private readonly state: { tokens: number[]; headerEnd: number; grammar: GrammarState; allowed: Uint8Array; unconditional: Float32Array | undefined };
  private forcedIndex = 0;
  private newTokens = 0;
  /** The bar position of the last token of the model's view. */
  private viewBarPosition = 0;

  constructor(plan: GenerationPlan, vocabSize: number) {
    if (plan.forced.length > 0 && plan.forced[0] !== MUSIC_BOS) throw new RangeError('forced tokens start with BOS');
    this.plan = plan;
    this.rows = plan.sampling.guidance === 1 ? 1 : 2;
    const chain = decodingChain(plan);
    this.processors = chain.processors;
    this.sampler = chain.sampler;
    this.random = createRandom(plan.seed);
    this.state = { tokens: this.tokens, headerEnd: 0, grammar: new GrammarState(), allowed: new Uint8Array(vocabSize), unconditional: undefined };
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

  /** Appends forced tokens and the only allowed choices until the model must choose; 'done' once finished. */
  decide(): Decision {
    for (;;) {
      if (this.finish !== undefined) return 'done';
      if (this.state.grammar.done) {
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
      const only = this.restrict();
      if (only >= 0) {
        this.push(only, true);
        continue;
      }
      return 'feed';
    }
  }

  /** Runs every processor's restrict for the next token; returns the token when exactly one is allowed, else -1. */
  private restrict(): number {
    const { allowed } = this.state;
    for (const processor of this.processors) processor.restrict?.(allowed, this.state);
    let count = 0;
    let only = -1;
    for (let id = 0; id < allowed.length; id++) {
      if (allowed[id]) {
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
    this.state.unconditional = uncond;
    for (const processor of this.processors) processor.process?.(cond, this.state);
    this.state.unconditional = undefined;
    const token = this.sampler.sample(cond, this.random);
    this.sampled += 1;
    this.push(token, true);
    return token;
  }

  private push(token: number, counts: boolean): void {
    this.state.grammar.step(token);
    this.tokens.push(token);
    this.pending.push(token);
    this.viewBarPosition = nextBarPosition(this.viewBarPosition, token);
    this.pendingBarPositions.push(this.viewBarPosition);
    if (counts) this.newTokens += 1;
    if (this.state.headerEnd === 0 && tokenType(token) === 'bars') this.state.headerEnd = this.tokens.length;
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
