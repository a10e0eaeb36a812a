/**
 * The instruments a request named should be heard. Until each has played, its instrument token gets a logit nudge
 * the model can still overrule. The nudge alone can lose in a piece of fixed length: the grammar ends the piece after
 * its last bar, and a model that fills that bar with other instruments leaves a named one silent. All silent
 * instruments fit at one position (instruments rise within a position), so only the last bar can run out of room;
 * there, the mask loses exactly the choices after which the first silent instrument could no longer play.
 */
import { EOS, RANGES, tokenId, tokenValue } from '../tokens/vocab.ts';
import type { DecodingState, GrammarView, LogitsProcessor } from './logits-processor.ts';

/** Logit added to a named instrument that has not played yet. */
export const MUST_PLAY_BIAS = 4;

/**
 * Narrows `mask` (the grammar's, for the next token) so the bar can still reach `firstSilent`, the lowest named
 * instrument that has not played (-1 when none is left). Leaves the mask alone where that is already impossible
 * (forced tokens can get there), so the piece can still end.
 */
export function keepRoomForNamedInstruments(mask: Uint8Array, grammar: GrammarView, firstSilent: number): void {
  if (firstSilent < 0 || !grammar.inFinalBar) return;
  const lastPosition = grammar.positionsLeft === 0;
  // At the bar's last position only instruments above the current one can still come.
  if (lastPosition && grammar.instrument >= firstSilent) return;
  mask[EOS] = 0;
  // Any instrument up to the first silent one keeps it reachable; a higher one would close the position without it.
  if (lastPosition) mask.fill(0, RANGES.instrument.start + firstSilent + 1, RANGES.instrument.start + RANGES.instrument.size);
}

/** The nudge and the room in the last bar, for the instruments a request named (GM programs, DRUMS for the kit). */
export class MustPlayProcessor implements LogitsProcessor {
  /** Named instruments not heard yet, as instrument token ids. */
  private readonly silent: Set<number>;
  /** The lowest of them as an instrument id, -1 when none is left. */
  private firstSilent = -1;
  /** Tokens of the sequence read so far; 0 until the header is complete. */
  private read = 0;

  constructor(named: readonly number[]) {
    this.silent = new Set(named.map((id) => tokenId('instrument', id)));
  }

  restrict(allowed: Uint8Array, state: DecodingState): void {
    if (this.follow(state)) keepRoomForNamedInstruments(allowed, state.grammar, this.firstSilent);
  }

  process(logits: Float32Array, state: DecodingState): void {
    if (this.follow(state)) for (const id of this.silent) logits[id] += MUST_PLAY_BIAS;
  }

  /** Reads the tokens added since the last call; false while the header is being written. */
  private follow(state: DecodingState): boolean {
    const { tokens, headerEnd } = state;
    if (headerEnd === 0) return false;
    let changed = false;
    if (this.read === 0) {
      // Only header instruments can play; one left out (a forced header) must not hold the piece open.
      for (const id of this.silent) if (tokens.lastIndexOf(id, headerEnd - 1) < 0) this.silent.delete(id);
      this.read = headerEnd;
      changed = true;
    }
    for (; this.read < tokens.length; this.read++) if (this.silent.delete(tokens[this.read])) changed = true;
    if (changed) this.firstSilent = lowestInstrument(this.silent);
    return true;
  }
}

function lowestInstrument(ids: ReadonlySet<number>): number {
  let first = -1;
  for (const id of ids) if (first < 0 || id < first) first = id;
  return first < 0 ? -1 : tokenValue(first);
}
