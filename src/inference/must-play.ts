/**
 * Keeps a fixed-length piece open for the instruments a request named. The logit nudge alone can lose: the grammar
 * ends the piece after its last bar, and a model that fills that bar with other instruments leaves a named one silent.
 * All silent instruments fit at one position (instruments rise within a position), so only the last bar can run out
 * of room; there, this removes exactly the choices after which the first silent instrument could no longer play.
 */
import type { GrammarState } from '../tokens/grammar.ts';
import { EOS, RANGES } from '../tokens/vocab.ts';

/**
 * Narrows `mask` (the grammar's, for the next token) so the bar can still reach `firstSilent`, the lowest named
 * instrument that has not played (-1 when none is left). Leaves the mask alone where that is already impossible
 * (forced tokens can get there), so the piece can still end.
 */
export function keepRoomForNamedInstruments(mask: Uint8Array, grammar: GrammarState, firstSilent: number): void {
  if (firstSilent < 0 || !grammar.inFinalBar) return;
  const lastPosition = grammar.positionsLeft === 0;
  // At the bar's last position only instruments above the current one can still come.
  if (lastPosition && grammar.instrument >= firstSilent) return;
  mask[EOS] = 0;
  // Any instrument up to the first silent one keeps it reachable; a higher one would close the position without it.
  if (lastPosition) mask.fill(0, RANGES.instrument.start + firstSilent + 1, RANGES.instrument.start + RANGES.instrument.size);
}
