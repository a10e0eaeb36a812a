/**
 * The forced header: what a request states (meter, tempo, key, instruments, drums, length) narrows the header tokens
 * the model may choose, one slot at a time; what it leaves open the model samples from the text. Applied on top of
 * the grammar's mask while the header is being written; in the body, a stated tempo or meter rules out changes of it.
 */
import { timeSignatureIndex } from '../music/grid.ts';
import { keyIndex, type Key, type Mode } from '../music/keys.ts';
import { DRUMS } from '../music/score.ts';
import { readHeader, type HeaderSoFar } from '../tokens/tokenizer.ts';
import { KEY_NONE, MAX_BARS, RANGES, TEMPO_TENS_MIN, tokenType, tokenValue } from '../tokens/vocab.ts';
import type { DecodingState, LogitsProcessor } from './logits-processor.ts';

export interface HeaderSpec {
  timeSignature?: [number, number];
  bpm?: number;
  /** Inclusive BPM range, when no single BPM is stated. */
  tempoRange?: [number, number];
  key?: Key;
  /** A mode without a tonic. */
  mode?: Mode;
  /** The exact pitched instruments (GM programs), when stated; [] with drums means drums alone. */
  instruments?: number[];
  /** When no instruments are stated: the only ones (GM programs, DRUMS) the model may choose, from the genre's palette. */
  palette?: number[];
  drums?: boolean;
  bars?: number;
  /** A length in seconds, turned into bars once the header's tempo and meter are known. */
  seconds?: number;
  /** The bars the model may choose when no length is stated. */
  barsRange: [number, number];
  /** The most instruments the model may choose when none are stated. */
  maxInstruments: number;
  /** No tempo or meter change in the body even where the request leaves them open (a form repeats bars as they are). */
  steady?: boolean;
}

export const DEFAULT_MIN_BARS = 4;
export const DEFAULT_MAX_INSTRUMENTS = 6;

/** Bars for a length in seconds at a tempo and meter, 1..MAX_BARS. */
export function barsForSeconds(seconds: number, bpm: number, meter: readonly [number, number]): number {
  const quartersPerBar = (meter[0] * 4) / meter[1];
  const bars = Math.round((seconds * bpm) / 60 / quartersPerBar);
  return Math.min(MAX_BARS, Math.max(1, bars));
}

function keepOnly(mask: Uint8Array, allowed: (id: number) => boolean, range: { start: number; size: number }): void {
  for (let id = range.start; id < range.start + range.size; id++) if (mask[id] && !allowed(id)) mask[id] = 0;
}

/** Clears every mask entry outside `range`, keeping those inside as they are. */
function onlyRange(mask: Uint8Array, range: { start: number; size: number }): void {
  mask.fill(0, 0, range.start);
  mask.fill(0, range.start + range.size);
}

function onlyToken(mask: Uint8Array, id: number): void {
  const allowed = mask[id];
  mask.fill(0);
  mask[id] = allowed;
}

/**
 * Narrows `mask` (already the grammar's) for the next header token, given the header tokens so far (BOS first,
 * without BARS: call it only until the header is complete).
 */
export function restrictHeader(mask: Uint8Array, tokens: readonly number[], spec: HeaderSpec): void {
  const last = tokens[tokens.length - 1];
  const lastType = tokenType(last);
  if (lastType === 'BOS') {
    if (spec.timeSignature) onlyToken(mask, RANGES.timeSignature.start + timeSignatureIndex(spec.timeSignature[0], spec.timeSignature[1]));
  } else if (lastType === 'timeSignature') {
    const [low, high] = spec.bpm !== undefined ? [spec.bpm, spec.bpm] : spec.tempoRange ?? [0, Infinity];
    keepOnly(mask, (id) => {
      const tens = tokenValue(id) + TEMPO_TENS_MIN;
      return tens * 10 + 9 >= low && tens * 10 <= high;
    }, RANGES.tempoTens);
  } else if (lastType === 'tempoTens') {
    const [low, high] = spec.bpm !== undefined ? [spec.bpm, spec.bpm] : spec.tempoRange ?? [0, Infinity];
    const tens = tokenValue(last) + TEMPO_TENS_MIN;
    keepOnly(mask, (id) => {
      const bpm = tens * 10 + tokenValue(id);
      return bpm >= low && bpm <= high;
    }, RANGES.tempoOnes);
  } else if (lastType === 'tempoOnes') {
    restrictKey(mask, spec);
  } else {
    restrictInstrumentsOrBars(mask, readHeader(tokens), spec);
  }
}

function restrictKey(mask: Uint8Array, spec: HeaderSpec): void {
  if (spec.key) return onlyToken(mask, RANGES.key.start + keyIndex(spec.key));
  const drumsAlone = spec.instruments !== undefined && spec.instruments.length === 0 && spec.drums === true;
  if (drumsAlone) return onlyToken(mask, KEY_NONE);
  const pitchedPossible = spec.instruments === undefined || spec.instruments.length > 0;
  keepOnly(mask, (id) => {
    if (id === KEY_NONE) {
      // No key means drums alone: only where drums may play.
      const drumsAllowed = spec.drums === true || (spec.drums === undefined && (!spec.palette || spec.palette.includes(DRUMS)));
      return !(spec.instruments?.length) && drumsAllowed && !spec.mode;
    }
    return !spec.mode || (spec.mode === 'minor') === (tokenValue(id) >= 12);
  }, RANGES.key);
  if (!pitchedPossible) onlyToken(mask, KEY_NONE);
}

function restrictInstrumentsOrBars(mask: Uint8Array, header: HeaderSoFar, spec: HeaderSpec): void {
  const chosen = header.instruments;
  const drumsChosen = chosen.includes(DRUMS);
  if (spec.instruments !== undefined) {
    const required = [...new Set(spec.instruments)].sort((a, b) => a - b);
    if (spec.drums === true) required.push(DRUMS);
    if (chosen.length < required.length) return onlyToken(mask, RANGES.instrument.start + required[chosen.length]);
    // The stated instruments are all there; drums only when the request leaves them open.
    const drumsOpen = spec.drums === undefined && !drumsChosen;
    keepOnly(mask, (id) => drumsOpen && id === RANGES.instrument.start + DRUMS, RANGES.instrument);
    if (!drumsOpen) onlyRange(mask, RANGES.bars);
  } else {
    const keyless = header.key === null;
    const full = chosen.length >= spec.maxInstruments;
    keepOnly(mask, (id) => {
      const instrument = tokenValue(id);
      // A piece in a key has a pitched instrument first; a piece without a key is drums alone.
      const inPalette = !spec.palette || spec.palette.includes(instrument);
      if (instrument === DRUMS) return spec.drums !== false && (keyless || chosen.length > 0) && (inPalette || spec.drums === true);
      return !keyless && !full && inPalette;
    }, RANGES.instrument);
    if (spec.drums === true && !drumsChosen) {
      mask.fill(0, RANGES.bars.start, RANGES.bars.start + RANGES.bars.size);
    }
  }
  restrictBars(mask, header, spec);
}

function restrictBars(mask: Uint8Array, header: HeaderSoFar, spec: HeaderSpec): void {
  let low: number;
  let high: number;
  if (spec.bars !== undefined) low = high = Math.min(MAX_BARS, spec.bars);
  // The grammar writes the meter and tempo before any instrument, so both are known here.
  else if (spec.seconds !== undefined) low = high = barsForSeconds(spec.seconds, header.bpm!, header.timeSignature!);
  else [low, high] = spec.barsRange;
  keepOnly(mask, (id) => {
    const bars = tokenValue(id) + 1;
    return bars >= low && bars <= high;
  }, RANGES.bars);
}

/** In the body: no tempo change when the request states a tempo, no meter change when it states a meter. */
export function restrictBody(mask: Uint8Array, spec: HeaderSpec): void {
  if (spec.steady || spec.bpm !== undefined || spec.tempoRange) mask.fill(0, RANGES.tempoTens.start, RANGES.tempoTens.start + RANGES.tempoTens.size);
  if (spec.steady || spec.timeSignature) mask.fill(0, RANGES.timeSignature.start, RANGES.timeSignature.start + RANGES.timeSignature.size);
}

/** The request's header as a processor: `restrictHeader` while the header is written, `restrictBody` after it. */
export class HeaderSpecProcessor implements LogitsProcessor {
  constructor(private readonly spec: HeaderSpec) {}

  restrict(allowed: Uint8Array, state: DecodingState): void {
    if (state.headerEnd > 0) restrictBody(allowed, this.spec);
    // Before BOS the grammar allows BOS alone: nothing to narrow.
    else if (state.tokens.length > 0) restrictHeader(allowed, state.tokens, this.spec);
  }
}
