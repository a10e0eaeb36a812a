/**
 * The inference engine: one API for the CLI and the bot. `compose` turns a prompt into a score, `vary` rewrites a
 * piece by an instruction while keeping its opening, `extend` continues a piece past its end. Sessions are loaded
 * once per process (`getEngine`); every request goes through one scheduler that decodes concurrent requests together.
 */
import { config as processConfig, type MotifConfig } from '../config.ts';
import { GrammarState } from '../tokens/grammar.ts';
import { describeAttributes, type PromptAttributes } from '../text/prompt.ts';
import { seedFromString } from '../music/random.ts';
import { DRUMS, type Score } from '../music/score.ts';
import { decodeHeader, decodeScore, encodeHeader, headerLength, type ScoreHeader } from '../tokens/tokenizer.ts';
import { BAR, EOS, MAX_BARS } from '../tokens/vocab.ts';
import type { FinishReason } from './close-early.ts';
import { PromptError } from './errors.ts';
import { Generation } from './generation.ts';
import { headerAttributes, specForHeader } from './header-attributes.ts';
import type { SamplingOptions } from './logits.ts';
import { OnnxMusicModel } from './onnx-model.ts';
import type { ParentPiece } from './parent-piece.ts';
import { resolveLimits, resolveRequest, type ComposeRequest, type ResolvedRequest } from './request.ts';
import { DecodeScheduler } from './scheduler.ts';
import type { Device } from './sessions.ts';
import { similarity, checkChange, type ChangeCheck, type Similarity } from './similarity.ts';
import { continuationPlan } from './continuation.ts';
import type { KeptPart } from './kept-part.ts';
import { restylePlan, type KeptTrack } from './restyle.ts';
import { composeInForm } from './form-composer.ts';
import { extendedForm, type Form } from './form.ts';
import { applyChange, defaultKeptBars, parseChange, variationPrefix, type VariationChange } from './variation.ts';

export interface EngineOptions {
  modelDir: string;
  device: Device;
  threads: number;
  maxBatch: number;
  maxTokens: number;
  requestTimeoutMs: number;
  /** Guidance left undefined takes the model's recommendation (manifest `sampling.guidance`), else DEFAULT_GUIDANCE. */
  sampling: Omit<SamplingOptions, 'guidance'> & { guidance?: number };
  defaultMaxBars: number;
  /** Compose in sections that repeat (form.ts); false writes a piece in one pass. On unless stated. */
  form?: boolean;
  /** Tokens the model sees at once; the manifest's max_music_len unless smaller. */
  contextLength?: number;
  /** Pending tokens a request reads one per batched call; a longer run it reads in a call of its own. */
  prefillThreshold?: number;
  log?: (line: string) => void;
}

export interface Timings {
  queuedMs: number;
  encodeMs: number;
  decodeMs: number;
  totalMs: number;
  /** Tokens written after the forced ones. */
  tokens: number;
  /** Tokens the model sampled (the rest were forced or the grammar's only choice). */
  sampled: number;
  /** Model calls that included this request. */
  calls: number;
  /** Times the sliding window moved. */
  windows: number;
}

/** The timings of several model calls for one piece: queued as the first, the work of all of them added up. */
function sumTimings(all: readonly Timings[]): Timings {
  const total = (field: keyof Timings) => all.reduce((sum, timings) => sum + timings[field], 0);
  return {
    queuedMs: all[0].queuedMs, encodeMs: total('encodeMs'), decodeMs: total('decodeMs'), totalMs: total('totalMs'),
    tokens: total('tokens'), sampled: total('sampled'), calls: total('calls'), windows: total('windows'),
  };
}

export interface Composition {
  score: Score;
  /** BOS to EOS; `decodeScore(tokens)` gives `score`. */
  tokens: number[];
  header: ScoreHeader;
  prompt: string;
  /** What the request asked for: the prompt's attributes with the explicit options over them. */
  attributes: PromptAttributes;
  seed: number;
  modelId: string;
  /** 'eos' when the model ended the piece; otherwise a limit closed it early (its header states the bars written). */
  finish: FinishReason;
  timings: Timings;
  /** The sections of a piece composed in form (form.ts); absent for a piece written in one pass. */
  form?: Form;
}

export interface FollowUpOptions {
  seed?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  guidance?: number;
  maxTokens?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface VaryOptions extends FollowUpOptions {
  /** Opening bars of the parent to keep; by default a quarter of it, 1 to 4 bars. */
  keepBars?: number;
}

export interface Variation extends Composition {
  instruction: string;
  change: VariationChange;
  keptBars: number;
  /** How much of the parent's pitch and rhythm content the variation shares. */
  similarity: Similarity;
  /** Each requested change and whether it holds in the result. */
  checks: ChangeCheck[];
}

export interface ContinueOptions extends FollowUpOptions {
  /** What the new part should do ("then build up with drums", "slower"); the piece carries on as it is when empty. */
  instruction?: string;
}

export interface Continuation extends Composition {
  /** Bars of the given piece, which come back unchanged; the new part starts at bar `parentBars + 1`. */
  parentBars: number;
  /** The instruction's changes the new part is held to (tempo, meter, added instruments). */
  applied: string[];
}

export interface RestyleOptions extends FollowUpOptions {
  /** The part to keep, in words ("flute", a track's name); the melody found by analysis when absent. */
  keep?: string;
}

export interface Restyle extends Composition {
  /** The part kept note for note (restyle.ts), and its notes in the file. */
  kept: KeptTrack & { notes: number };
}

/** Classifier-free guidance when neither the environment nor the model's manifest states one. */
export const DEFAULT_GUIDANCE = 3;

export function engineOptionsFrom(config: MotifConfig): EngineOptions {
  return {
    modelDir: config.modelDir,
    device: config.device,
    threads: config.threads,
    maxBatch: config.maxBatch,
    maxTokens: config.maxTokens,
    requestTimeoutMs: config.requestTimeoutMs,
    sampling: config.sampling,
    defaultMaxBars: config.defaultMaxBars,
    form: config.form,
  };
}

export class MotifEngine {
  readonly model: OnnxMusicModel;
  private readonly scheduler: DecodeScheduler;
  private readonly options: EngineOptions & { sampling: SamplingOptions };
  readonly contextLength: number;

  private constructor(model: OnnxMusicModel, options: EngineOptions) {
    this.model = model;
    const guidance = options.sampling.guidance ?? model.manifest.sampling?.guidance ?? DEFAULT_GUIDANCE;
    this.options = { ...options, sampling: { ...options.sampling, guidance } };
    this.contextLength = Math.min(options.contextLength ?? Infinity, model.dims.maxMusicLen);
    this.scheduler = new DecodeScheduler(model, { maxBatch: options.maxBatch, prefillThreshold: options.prefillThreshold });
  }

  /**
   * Another engine on the same sessions with its own scheduler and settings (benchmarks compare scheduling this way).
   * The sessions are shared: close only the original.
   */
  withOptions(overrides: Partial<Omit<EngineOptions, 'modelDir' | 'device' | 'threads'>>): MotifEngine {
    return new MotifEngine(this.model, { ...this.options, ...overrides });
  }

  /** Loads the model (checking its manifest) with the process configuration, overridden by `options`. */
  static async load(options: Partial<EngineOptions> = {}): Promise<MotifEngine> {
    const full = { ...engineOptionsFrom(processConfig()), ...options };
    const model = await OnnxMusicModel.load(full.modelDir, { device: full.device, threads: full.threads, log: full.log });
    return new MotifEngine(model, full);
  }

  get modelId(): string {
    return this.model.id;
  }

  /** The sampling defaults in force: the environment's, with guidance from the model where the environment is silent. */
  get sampling(): SamplingOptions {
    return this.options.sampling;
  }

  get device(): Device {
    return this.model.device;
  }

  /** Requests decoding now and waiting in line. */
  stats(): { active: number; queued: number } {
    return { active: this.scheduler.active, queued: this.scheduler.queued };
  }

  /**
   * A new piece from a prompt; options (bpm, key, instruments, ...) override what the prompt says. It is composed in
   * form unless `form` (or the engine's option) is false or the piece is too short to repeat anything.
   */
  async compose(request: ComposeRequest & { form?: boolean }): Promise<Composition> {
    const started = performance.now();
    const resolved = resolveRequest(request, this.defaults());
    const inForm = request.form ?? this.options.form ?? true;
    const formed = inForm ? await composeInForm(resolved, (section, forced) => this.generate(section, section.prompt, forced)) : undefined;
    if (!formed) return this.generate(resolved, resolved.prompt, []);
    const [first] = formed.pieces;
    return {
      ...first,
      score: decodeScore(formed.tokens),
      tokens: formed.tokens,
      header: decodeHeader(formed.tokens),
      finish: formed.finish,
      timings: { ...sumTimings(formed.pieces.map((piece) => piece.timings)), totalMs: performance.now() - started, tokens: formed.tokens.length },
      form: formed.form,
    };
  }

  /** A variation of `parent` by an instruction ("faster", "in D minor", "add strings", "no drums", free text). */
  async vary(parent: ParentPiece, instruction: string, options: VaryOptions = {}): Promise<Variation> {
    if (typeof instruction !== 'string' || instruction.trim() === '') {
      throw new PromptError('Say how to change the piece, for example "faster", "in D minor" or "add strings".');
    }
    const change = parseChange(instruction);
    const header = applyChange(parent.header, change);
    const keptBars = Math.max(0, Math.min(options.keepBars ?? defaultKeptBars(parent.header.bars), parent.header.bars, header.bars - 1));
    const prefix = variationPrefix(parent, header, keptBars, change);
    const prompt = `${parent.prompt}, ${instruction.trim()}`;
    const named = [...(change.only ?? change.add), ...(change.drums ? [DRUMS] : [])];
    const resolved = this.followUp(prompt, header, options, seedFromString(`${parent.seed}:vary:${instruction.trim()}`), named);
    const composition = await this.generate(resolved, prompt, [...encodeHeader(header), ...prefix.tokens]);
    return {
      ...composition,
      instruction,
      change,
      keptBars: prefix.bars,
      similarity: similarity(parent, composition),
      checks: checkChange(change, parent, composition),
    };
  }

  /** `parent` continued for `bars` more bars (up to MAX_BARS in all); the result holds the whole piece. */
  async extend(parent: ParentPiece, bars: number, options: FollowUpOptions = {}): Promise<Composition> {
    if (!Number.isInteger(bars) || bars < 1) throw new PromptError('Say how many bars to add: a whole number from 1 up.');
    if (parent.header.bars >= MAX_BARS) throw new PromptError(`The piece already has ${MAX_BARS} bars, the longest Motif writes.`);
    const header: ScoreHeader = { ...parent.header, bars: Math.min(MAX_BARS, parent.header.bars + bars) };
    const body = parent.tokens.slice(headerLength(parent.tokens), parent.tokens[parent.tokens.length - 1] === EOS ? -1 : undefined);
    const resolved = this.followUp(parent.prompt, header, options, seedFromString(`${parent.seed}:extend:${bars}`));
    // A BAR after the parent's last bar: the continuation starts on a new bar and leaves the parent's bars as they are.
    const extended = await this.generate(resolved, parent.prompt, [...encodeHeader(header), ...body, BAR]);
    return parent.form ? { ...extended, form: extendedForm(parent.form, parent.header.bars, extended.header.bars) } : extended;
  }

  /** `parent` exactly as given, then `bars` new bars (up to MAX_BARS in all) that carry it on (continuation.ts). */
  async continuePiece(parent: ParentPiece, bars: number, options: ContinueOptions = {}): Promise<Continuation> {
    const instruction = options.instruction?.trim() ?? '';
    const plan = continuationPlan(parent, bars, instruction);
    const resolved = this.followUp(plan.prompt, plan.header, options, seedFromString(`${parent.seed}:continue:${bars}:${instruction}`), plan.mustPlay);
    const composition = await this.generate(resolved, plan.prompt, plan.forced);
    return { ...composition, parentBars: plan.parentBars, applied: plan.applied };
  }

  /**
   * `score`'s melody (or the part `keep` names) note for note, everything else new from `prompt`: its instruments,
   * tempo, key (the kept part transposed to it) and feel (restyle.ts, kept-part.ts).
   */
  async restyle(score: Score, prompt: string, options: RestyleOptions = {}): Promise<Restyle> {
    const { keep, ...limits } = options;
    const plan = restylePlan(score, resolveRequest({ prompt, ...limits }, this.defaults()), keep);
    const composition = await this.generate(plan.resolved, prompt, [], plan.part);
    return { ...composition, kept: { ...plan.kept, notes: plan.part.notes } };
  }

  /** Releases the ONNX sessions; the engine cannot be used afterwards. */
  async close(): Promise<void> {
    await this.model.release();
  }

  private defaults() {
    return {
      sampling: this.options.sampling,
      maxTokens: this.options.maxTokens,
      timeoutMs: this.options.requestTimeoutMs,
      defaultMaxBars: this.options.defaultMaxBars,
      palettes: this.model.palettes,
    };
  }

  /** A request whose header is fully known (vary, extend): nothing is parsed from the text, which only conditions the model. */
  private followUp(prompt: string, header: ScoreHeader, options: FollowUpOptions, derivedSeed: number, mustPlay: number[] = []): ResolvedRequest {
    const limits = resolveLimits({ ...options, seed: options.seed ?? derivedSeed }, this.defaults());
    return { prompt, attributes: headerAttributes(header), spec: specForHeader(header), mustPlay, ...limits };
  }

  private async generate(resolved: ResolvedRequest, prompt: string, forced: number[], keptPart?: KeptPart): Promise<Composition> {
    const start = performance.now();
    checkForced(forced);
    const generation = new Generation({
      textIds: this.model.textIds(prompt),
      spec: resolved.spec,
      mustPlay: resolved.mustPlay,
      keptPart,
      forced,
      seed: resolved.seed,
      sampling: resolved.sampling,
      maxNewTokens: resolved.maxTokens,
      deadline: Date.now() + resolved.timeoutMs,
      contextLimit: this.contextLength,
    }, this.model.dims.vocab);
    const times = await this.scheduler.run(generation, resolved.signal);
    const tokens = generation.result();
    return {
      score: decodeScore(tokens),
      tokens,
      header: decodeHeader(tokens),
      prompt,
      attributes: resolved.attributes,
      seed: resolved.seed,
      modelId: this.model.id,
      finish: generation.finish ?? 'eos',
      timings: {
        queuedMs: times.queuedMs,
        encodeMs: times.encodeMs,
        decodeMs: times.decodeMs,
        totalMs: performance.now() - start,
        tokens: tokens.length - forced.length,
        sampled: generation.sampled,
        calls: times.calls,
        windows: generation.windows,
      },
    };
  }
}

/** Forced tokens must be a valid start of a sequence; a bad parent is a caller's mistake, caught before decoding. */
function checkForced(forced: readonly number[]): void {
  const grammar = new GrammarState();
  for (const id of forced) grammar.step(id);
}

/** A one-line summary of a composition for logs and the CLI. */
export function describeComposition(composition: Composition): string {
  const { header, timings } = composition;
  return `${composition.modelId} seed ${composition.seed}: ${describeAttributes(headerAttributes(header))}; ${timings.tokens} tokens in ${Math.round(timings.totalMs)} ms (${composition.finish})`;
}

let shared: Promise<MotifEngine> | undefined;

/** The process's engine, loaded on first use with the configuration from the environment. */
export function getEngine(): Promise<MotifEngine> {
  shared ??= MotifEngine.load().catch((error) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
