/**
 * A compose request as the CLI and the bot send it: a prompt, and options that override what the prompt says.
 * Checked here, with errors in plain words, and turned into the attributes to force and the sampling to use. Between
 * the words and the header runs the attribute stage (src/text/attribute-stage.ts): what the prompt's ensembles,
 * genres and moods imply where neither the prompt nor the options state it.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { MAX_BPM, MIN_BPM, TIME_SIGNATURES, timeSignatureIndex } from '../music/grid.ts';
import { paletteFor, type InstrumentPalettes } from '../music/instrument-palettes.ts';
import { inferAttributes, type Inference } from '../text/attribute-stage.ts';
import { parsePrompt, MAX_SECONDS, MIN_SECONDS, type PromptAttributes } from '../text/prompt.ts';
import { DRUMS } from '../music/score.ts';
import { MAX_BARS } from '../tokens/vocab.ts';
import { PromptError } from './errors.ts';
import { DEFAULT_MAX_INSTRUMENTS, DEFAULT_MIN_BARS, type HeaderSpec } from './header-spec.ts';
import type { SamplingOptions } from './logits.ts';

const METERS = TIME_SIGNATURES.map(([n, d]) => `${n}/${d}`).join(', ');
const MIN_TOKENS = 64;
export const MAX_SEED = 0xffffffff;

/**
 * The options a person sets by number (the bot's /compose options, the CLI's flags), each with the sentence it is
 * refused with. The request below is checked with them, and so are the bot's options before a job is accepted.
 */
const SEED_RANGE = `The seed must be a whole number from 0 to ${MAX_SEED}.`;
export const seedOption = z.number().int(SEED_RANGE).min(0, SEED_RANGE).max(MAX_SEED, SEED_RANGE);
const TEMPO_RANGE = `The tempo must be a whole number from ${MIN_BPM} to ${MAX_BPM} BPM.`;
export const bpmOption = z.number().int(TEMPO_RANGE).min(MIN_BPM, TEMPO_RANGE).max(MAX_BPM, TEMPO_RANGE);
const BARS_RANGE = `The length must be from 1 to ${MAX_BARS} bars.`;
export const barsOption = z.number().int(`The length must be a whole number of bars from 1 to ${MAX_BARS}.`).min(1, BARS_RANGE).max(MAX_BARS, BARS_RANGE);

/** Why `value` breaks `schema`, in the words of its first broken rule; undefined when it keeps them all. */
export function optionProblem(schema: z.ZodType, value: unknown): string | undefined {
  const checked = schema.safeParse(value);
  return checked.success ? undefined : checked.error.issues[0].message;
}

const requestSchema = z.object({
  prompt: z.string({ error: 'The prompt must be text.' }),
  seed: seedOption.optional(),
  bpm: bpmOption.optional(),
  key: z.object({ tonic: z.number().int().min(0).max(11), mode: z.enum(['major', 'minor']) }, { error: 'The key must be a tonic 0-11 and a mode.' }).optional(),
  mode: z.enum(['major', 'minor'], { error: 'The mode must be major or minor.' }).optional(),
  timeSignature: z.tuple([z.number().int(), z.number().int()]).refine(([n, d]) => timeSignatureIndex(n, d) >= 0, {
    error: `That time signature is not supported: use one of ${METERS}.`,
  }).optional(),
  instruments: z.array(z.number().int().min(0, 'Instruments are GM programs 0-127 (or 128 for drums).').max(DRUMS, 'Instruments are GM programs 0-127 (or 128 for drums).')).optional(),
  drums: z.boolean().optional(),
  bars: barsOption.optional(),
  seconds: z.number().min(MIN_SECONDS, `The length must be from ${MIN_SECONDS} to ${MAX_SECONDS} seconds.`).max(MAX_SECONDS, `The length must be from ${MIN_SECONDS} to ${MAX_SECONDS} seconds.`).optional(),
  temperature: z.number().min(0, 'The temperature must be from 0 to 5.').max(5, 'The temperature must be from 0 to 5.').optional(),
  topK: z.number().int().min(0, 'top-k must be a whole number from 0 (off) to 1000.').max(1000, 'top-k must be a whole number from 0 (off) to 1000.').optional(),
  topP: z.number().gt(0, 'top-p must be above 0 and at most 1.').max(1, 'top-p must be above 0 and at most 1.').optional(),
  guidance: z.number().min(0, 'The guidance scale must be from 0 to 20.').max(20, 'The guidance scale must be from 0 to 20.').optional(),
  keyPrior: z.number().min(0, 'The key prior must be from 0 (off) to 5.').max(5, 'The key prior must be from 0 (off) to 5.').optional(),
  maxTokens: z.number().int().min(MIN_TOKENS, `The token limit must be at least ${MIN_TOKENS}.`).optional(),
  timeoutMs: z.number().positive('The time limit must be above 0.').optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

export type ComposeRequest = z.input<typeof requestSchema>;

export interface RequestDefaults {
  sampling: SamplingOptions;
  maxTokens: number;
  timeoutMs: number;
  defaultMaxBars: number;
  /** Instruments per genre: a prompt naming a genre and no instruments has its instruments chosen among them. */
  palettes?: InstrumentPalettes;
}

export interface ResolvedRequest {
  prompt: string;
  /** What the prompt said, with the options laid over it. */
  attributes: PromptAttributes;
  spec: HeaderSpec;
  /** Instruments the request named (DRUMS for the kit), which the piece should let play. */
  mustPlay: number[];
  sampling: SamplingOptions;
  seed: number;
  maxTokens: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Sampling, seed and limits of a request, checked; throws a PromptError a user can read. */
export type RequestLimits = Pick<ResolvedRequest, 'sampling' | 'seed' | 'maxTokens' | 'timeoutMs' | 'signal'>;

const limitsSchema = requestSchema.pick({ seed: true, temperature: true, topK: true, topP: true, guidance: true, keyPrior: true, maxTokens: true, timeoutMs: true, signal: true });

export function resolveLimits(options: z.input<typeof limitsSchema>, defaults: RequestDefaults): RequestLimits {
  const checked = limitsSchema.safeParse(options);
  if (!checked.success) throw new PromptError(checked.error.issues[0].message);
  const limits = checked.data;
  return {
    sampling: {
      temperature: limits.temperature ?? defaults.sampling.temperature,
      topK: limits.topK ?? defaults.sampling.topK,
      topP: limits.topP ?? defaults.sampling.topP,
      guidance: limits.guidance ?? defaults.sampling.guidance,
      keyPrior: limits.keyPrior ?? defaults.sampling.keyPrior,
    },
    seed: limits.seed ?? randomInt(0, 0x100000000),
    maxTokens: limits.maxTokens ?? defaults.maxTokens,
    timeoutMs: limits.timeoutMs ?? defaults.timeoutMs,
    signal: limits.signal,
  };
}

/** Checks a request and works out what to force; throws a PromptError a user can read. */
export function resolveRequest(request: ComposeRequest, defaults: RequestDefaults): ResolvedRequest {
  const checked = requestSchema.safeParse(request);
  if (!checked.success) throw new PromptError(checked.error.issues[0].message);
  const options = checked.data;
  const { stated, attributes } = stageRequest(options);
  const instruments = attributes.instruments;
  if (instruments && instruments.length === 0 && attributes.drums !== true) {
    throw new PromptError('Nothing would play: name at least one instrument, or ask for drums.');
  }
  const spec: HeaderSpec = {
    timeSignature: attributes.timeSignature,
    bpm: attributes.bpm,
    tempoRange: attributes.bpm === undefined ? attributes.tempoRange : undefined,
    key: attributes.key,
    mode: attributes.key ? undefined : attributes.mode,
    instruments,
    palette: instruments === undefined ? paletteFor(defaults.palettes, attributes.genres) : undefined,
    drums: attributes.drums,
    bars: attributes.bars,
    seconds: attributes.bars === undefined ? attributes.seconds : undefined,
    barsRange: [Math.min(DEFAULT_MIN_BARS, defaults.defaultMaxBars), defaults.defaultMaxBars],
    maxInstruments: DEFAULT_MAX_INSTRUMENTS,
  };
  const mustPlay = [...(instruments ?? []), ...(attributes.drums ? [DRUMS] : [])];
  return { prompt: options.prompt, attributes: stated, spec, mustPlay, ...resolveLimits(options, defaults) };
}

/**
 * What a checked request states (the prompt's words with the options over them), what the piece is held to (that,
 * with what the attribute stage infers where it is open) and the inferences. The options win over the prompt's words
 * and over anything inferred from them.
 */
function stageRequest(options: z.output<typeof requestSchema>): { stated: PromptAttributes; attributes: PromptAttributes; inferred: Inference[] } {
  const parsed = parsePrompt(options.prompt);
  if (!parsed.ok) throw new PromptError(parsed.error);
  const staged = inferAttributes(options.prompt, parsed.attributes);
  return {
    stated: overlay(parsed.attributes, options),
    attributes: overlay(staged.attributes, options),
    inferred: staged.inferred.filter((inference) => !setByOptions(inference.attribute, options)),
  };
}

/** What the attribute stage infers for a request (as resolveRequest does), for showing beside a take; throws a PromptError. */
export function requestInferences(request: ComposeRequest): Inference[] {
  const checked = requestSchema.safeParse(request);
  if (!checked.success) throw new PromptError(checked.error.issues[0].message);
  return stageRequest(checked.data).inferred;
}

/** Whether the request's options state an attribute the stage may infer. */
function setByOptions(attribute: Inference['attribute'], options: z.output<typeof requestSchema>): boolean {
  switch (attribute) {
    case 'instruments': return options.instruments !== undefined;
    case 'drums': return options.drums !== undefined || options.instruments?.includes(DRUMS) === true;
    case 'tempo': return options.bpm !== undefined;
    case 'meter': return options.timeSignature !== undefined;
    case 'mode': return options.key !== undefined || options.mode !== undefined;
  }
}

/** The prompt's attributes with the request's explicit options on top. */
function overlay(fromPrompt: PromptAttributes, options: z.output<typeof requestSchema>): PromptAttributes {
  const attributes: PromptAttributes = { ...fromPrompt };
  if (options.bpm !== undefined) {
    attributes.bpm = options.bpm;
    delete attributes.tempoRange;
  }
  if (options.key) {
    attributes.key = options.key;
    delete attributes.mode;
  } else if (options.mode) {
    attributes.mode = options.mode;
    if (attributes.key && attributes.key.mode !== options.mode) delete attributes.key;
  }
  if (options.timeSignature) attributes.timeSignature = options.timeSignature;
  if (options.instruments) {
    const pitched = [...new Set(options.instruments.filter((id) => id !== DRUMS))].sort((a, b) => a - b);
    attributes.instruments = pitched;
    if (options.instruments.includes(DRUMS)) attributes.drums = true;
  }
  if (options.drums !== undefined) attributes.drums = options.drums;
  if (options.bars !== undefined) {
    attributes.bars = options.bars;
    delete attributes.seconds;
  } else if (options.seconds !== undefined) {
    attributes.seconds = options.seconds;
    delete attributes.bars;
  }
  if (attributes.instruments) attributes.instruments = [...new Set(attributes.instruments)].sort((a, b) => a - b);
  return attributes;
}
