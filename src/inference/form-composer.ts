/**
 * Composing in form (form.ts): the model writes the first material under a header of its own short length; the form
 * is planned from what it wrote; then every other thing the model must write (the second material, written after the
 * first as `extend` would; a fill or a varied half, written after the material's opening bars as `vary` would) is
 * asked for at once, so the scheduler decodes those calls as one batch; finally the sections are arranged and
 * tokenized as one piece whose header states the whole length.
 */
import { detectKey } from '../analysis/key-detection.ts';
import { sameKey } from '../music/keys.ts';
import { seedFromString } from '../music/random.ts';
import { DRUMS, instrumentOf, noteCount, sliceBars, type Score } from '../music/score.ts';
import { decodeHeader, decodeScore, encodeHeader, encodeScore, headerLength, type ScoreHeader } from '../tokens/tokenizer.ts';
import { BAR, EOS } from '../tokens/vocab.ts';
import { arrange, sectionScore, startsNoteInBar } from './arrangement.ts';
import type { FinishReason } from './close-early.ts';
import { GenerationTimeoutError } from './errors.ts';
import { formKind, planForm, sectionLength, type Form, type FormSection } from './form.ts';
import { specForHeader } from './header-attributes.ts';
import { barsForSeconds, type HeaderSpec } from './header-spec.ts';
import type { ResolvedRequest } from './request.ts';

/** What a model call gives back that the form needs. */
export interface WrittenPiece {
  tokens: number[];
  finish: FinishReason;
}

/** One model call: `request`'s header spec, sampling, seed and limits, after the `forced` tokens ([] from scratch). */
export type PieceWriter<P extends WrittenPiece> = (request: ResolvedRequest, forced: number[]) => Promise<P>;

export interface FormedPiece<P extends WrittenPiece> {
  /** The whole piece, BOS to EOS. */
  tokens: number[];
  form: Form;
  finish: FinishReason;
  /** Every model call's result, the first material first. */
  pieces: P[];
}

/** A tempo to estimate the length of a piece asked for in seconds before the model has chosen its tempo. */
const TYPICAL_BPM = 120;

/**
 * The piece `resolved` asks for, written in form with `write`; undefined when it is too short to have one (the caller
 * writes it in one pass).
 */
export async function composeInForm<P extends WrittenPiece>(resolved: ResolvedRequest, write: PieceWriter<P>): Promise<FormedPiece<P> | undefined> {
  const started = Date.now();
  const { spec } = resolved;
  const kind = formKind({ genres: resolved.attributes.genres, instruments: spec.instruments, drums: spec.drums });
  const sectionBars = sectionLength(kind, lengthOf(spec, spec.bpm ?? TYPICAL_BPM, spec.timeSignature ?? [4, 4]));
  if (sectionBars === undefined) return undefined;

  const { first, takes } = await writeFirstSection(resolved, sectionBars, write);
  const header = decodeHeader(first.tokens);
  if (first.finish !== 'eos') {
    // A limit cut the first material short: that is the piece, as a single pass cut short would be.
    return { tokens: first.tokens, form: { kind, sectionBars, sections: [wholePiece(header.bars)] }, finish: first.finish, pieces: takes };
  }
  const totalBars = lengthOf(spec, header.bpm, header.timeSignature);
  const material = decodeScore(first.tokens);
  if (totalBars < sectionBars) {
    // Only a length in seconds at a slow tempo the model chose gets here: the first bars of the material are the piece.
    const opening = sectionScore(material, totalBars);
    if (noteCount(opening) === 0) return undefined;
    const tokens = encodeScore(opening, { key: header.key, bars: totalBars });
    return { tokens, form: { kind, sectionBars, sections: [wholePiece(totalBars)] }, finish: 'eos', pieces: takes };
  }

  const playing = material.tracks.map(instrumentOf).sort((a, b) => a - b);
  const form = planForm(kind, totalBars, sectionBars, playing);
  const calls = modelCalls(form, header, first.tokens);
  const budget = {
    maxTokens: Math.floor((resolved.maxTokens - takes.reduce((sum, take) => sum + take.tokens.length, 0)) / Math.max(1, calls.length)),
    timeoutMs: resolved.timeoutMs - (Date.now() - started),
  };
  const results = await Promise.all(calls.map((call) => writeOrGiveUp(write, sectionRequest(resolved, call, budget), call.forced)));
  const sources: Sources = { A: material, rewrites: new Map() };
  calls.forEach((call, index) => {
    const result = results[index];
    if (!result) return;
    const score = decodeScore(result.tokens);
    if (call.key === 'B') sources.B = sliceBars(score, sectionBars, call.header.bars - sectionBars);
    else sources.rewrites.set(call.key, score);
  });

  const placed = form.sections.map((section, index) => place(settle(section, sources), sources, index === form.sections.length - 1));
  const piece = arrange(placed, header.timeSignature, header.bpm);
  return {
    tokens: encodeScore(piece, { key: header.key, bars: totalBars }),
    form: { ...form, sections: placed.map(({ section }) => section) },
    finish: 'eos',
    pieces: [...takes, ...results.flatMap((result) => (result ? [result] : []))],
  };
}

/** Every instrument id (GM programs and DRUMS): as must-play, every instrument the header chooses (must-play.ts). */
const EVERY_INSTRUMENT = Array.from({ length: DRUMS + 1 }, (_, id) => id);

/** Takes of the first section the model writes, of which one is kept. */
const FIRST_SECTION_TAKES = 2;

/**
 * The first section: the request's header with the section's length, no tempo or meter change in the body, and every
 * instrument of the header playing in it, since every other section is made of it (a part silent there would be
 * silent in the whole piece). Its bars are heard again and again, so they decide the key a listener hears: the model
 * writes two takes at once (one batch; the first with the request's own seed) and the first take whose notes are in
 * the key its header states is kept, else the first take. Both takes are the model's; nothing in them is changed.
 */
async function writeFirstSection<P extends WrittenPiece>(resolved: ResolvedRequest, sectionBars: number, write: PieceWriter<P>): Promise<{ first: P; takes: P[] }> {
  const request: ResolvedRequest = {
    ...resolved,
    spec: { ...resolved.spec, bars: sectionBars, seconds: undefined, steady: true },
    mustPlay: EVERY_INSTRUMENT,
  };
  const seeds = [resolved.seed, ...Array.from({ length: FIRST_SECTION_TAKES - 1 }, (_, take) => seedFromString(`${resolved.seed}:form:take${take + 2}`))];
  const takes = await Promise.all(seeds.map((seed) => write({ ...request, seed }, [])));
  const finished = takes.filter((take) => take.finish === 'eos');
  const first = finished.find(inItsKey) ?? finished[0] ?? takes[0];
  return { first, takes };
}

/** True when the notes of a piece are in the key its header states (detectKey), or when it states none. */
function inItsKey(piece: WrittenPiece): boolean {
  const stated = decodeHeader(piece.tokens).key;
  if (!stated) return true;
  const heard = detectKey(decodeScore(piece.tokens)).key;
  return heard !== null && sameKey(heard, stated);
}

/** The length the request asks for, at `bpm` and `meter` when it is asked in seconds. */
function lengthOf(spec: HeaderSpec, bpm: number, meter: readonly [number, number]): number {
  if (spec.bars !== undefined) return spec.bars;
  if (spec.seconds !== undefined) return barsForSeconds(spec.seconds, bpm, meter);
  return spec.barsRange[1];
}

function wholePiece(bars: number): FormSection {
  return { name: 'A', firstBar: 1, bars, made: 'written', material: 'A' };
}

/** A model call the form needs: the second material, or a rewrite of the first one's last bars. */
interface ModelCall {
  /** 'B', or `rewrite:<kept>/<bars>`: sections that need the same call share it. */
  key: string;
  header: ScoreHeader;
  forced: number[];
}

function rewriteKey(section: FormSection): string {
  return `rewrite:${section.keptBars}/${section.bars}`;
}

/**
 * The calls of `form` after the first material (`first`, BOS to EOS): the second material as a continuation of the
 * whole first one (what `extend` forces), and each rewrite as the first material's opening bars followed by the bars
 * the model writes anew, under a header of the section's length (what `vary` forces).
 */
function modelCalls(form: Form, header: ScoreHeader, first: readonly number[]): ModelCall[] {
  const calls = new Map<string, ModelCall>();
  for (const section of form.sections) {
    if (section.made === 'continued' && !calls.has('B')) {
      const whole: ScoreHeader = { ...header, bars: form.sectionBars + section.bars };
      calls.set('B', { key: 'B', header: whole, forced: [...encodeHeader(whole), ...openingBars(first, form.sectionBars), BAR] });
    }
    if ((section.made === 'fill' || section.made === 'varied') && !calls.has(rewriteKey(section))) {
      const short: ScoreHeader = { ...header, bars: section.bars };
      calls.set(rewriteKey(section), { key: rewriteKey(section), header: short, forced: [...encodeHeader(short), ...openingBars(first, section.keptBars!), BAR] });
    }
  }
  return [...calls.values()];
}

/** The body tokens of the first `bars` bars of a sequence (without the BAR that would start the next one). */
export function openingBars(tokens: readonly number[], bars: number): number[] {
  const start = headerLength(tokens);
  let seen = 0;
  for (let i = start; i < tokens.length; i++) {
    if (tokens[i] === BAR && seen++ === bars) return tokens.slice(start, i);
  }
  return tokens.slice(start, tokens[tokens.length - 1] === EOS ? -1 : undefined);
}

function sectionRequest(resolved: ResolvedRequest, call: ModelCall, budget: { maxTokens: number; timeoutMs: number }): ResolvedRequest {
  return {
    ...resolved,
    spec: specForHeader(call.header),
    // What the request named already plays in the first material, which the piece holds whole.
    mustPlay: [],
    seed: seedFromString(`${resolved.seed}:form:${call.key}`),
    maxTokens: budget.maxTokens,
    timeoutMs: budget.timeoutMs,
  };
}

/**
 * A call's result, or undefined when a limit stopped it: its sections are then copies of what they vary, so the
 * piece keeps its length. Anything else (a cancelled request, a broken model) fails the piece.
 */
async function writeOrGiveUp<P extends WrittenPiece>(write: PieceWriter<P>, request: ResolvedRequest, forced: number[]): Promise<P | undefined> {
  if (request.timeoutMs <= 0 || request.maxTokens <= 0) return undefined;
  try {
    const piece = await write(request, forced);
    return piece.finish === 'eos' ? piece : undefined;
  } catch (error) {
    if (error instanceof GenerationTimeoutError) return undefined;
    throw error;
  }
}

/** The model's bars the sections are made of: the first material, the second, and each rewrite (by call key), each from tick 0. */
interface Sources {
  A: Score;
  B?: Score;
  rewrites: Map<string, Score>;
}

/** The section as the calls that came back allow: a rewrite without its call is a copy, B without its call is A again. */
function settle(section: FormSection, sources: Sources): FormSection {
  if ((section.made === 'fill' || section.made === 'varied') && !sources.rewrites.has(rewriteKey(section))) {
    const { keptBars: _kept, ...rest } = section;
    return { ...rest, made: 'copy' };
  }
  if (section.material === 'B' && !sources.B) {
    return { ...section, name: 'A', material: 'A', made: section.made === 'continued' ? 'copy' : section.made };
  }
  return section;
}

/**
 * A section's notes from bar 0 with its final record. A resting part that would leave the section silent, or leave
 * the piece's last bar empty (the length a listener hears would fall short), rests nothing: the section is a copy.
 */
function place(section: FormSection, sources: Sources, last: boolean): { section: FormSection; firstBar: number; score: Score } {
  const at = (score: Score) => ({ section, firstBar: section.firstBar, score });
  if (section.made === 'fill' || section.made === 'varied') return at(sectionScore(sources.rewrites.get(rewriteKey(section))!, section.bars));
  const material = section.material === 'A' ? sources.A : sources.B!;
  if (section.made !== 'resting') return at(sectionScore(material, section.bars));
  const thinned = sectionScore(material, section.bars, section.resting);
  if (noteCount(thinned) > 0 && !(last && !startsNoteInBar(thinned, section.bars - 1))) return at(thinned);
  const { resting: _resting, ...copy } = section;
  return { section: { ...copy, made: 'copy' }, firstBar: section.firstBar, score: sectionScore(material, section.bars) };
}
