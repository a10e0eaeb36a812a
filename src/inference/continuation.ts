/**
 * Continuation: a piece as it was given, then new bars. The whole given piece is forced into the decoder token for
 * token, so its bars come back unchanged and the model writes only after them; the tempo and meter in force at its
 * end carry on unless an instruction changes them, in which case the change is forced as the first tokens of the
 * new part. The body mask (header-spec.ts restrictBody) then keeps the model from changing them again.
 */
import { normalizeTimeSignature, positionIndex, timeSignatureIndex } from '../music/grid.ts';
import { instrumentName } from '../music/instruments.ts';
import { DRUMS } from '../music/score.ts';
import { decodeScore, encodeHeader, headerLength, tempoTokens, type ScoreHeader } from '../tokens/tokenizer.ts';
import { BAR, EOS, MAX_BARS, tokenId } from '../tokens/vocab.ts';
import { PromptError } from './errors.ts';
import type { ParentPiece } from './parent-piece.ts';
import { applyChange, parseChange, type VariationChange } from './variation.ts';

export interface ContinuationPlan {
  /** The header of the whole result: the parent's, with any instruments the instruction adds, and the bars in all. */
  header: ScoreHeader;
  /** Tokens forced from BOS: the header, the parent's body, and the start of the new part. */
  forced: number[];
  /** The text that conditions the model. */
  prompt: string;
  /** Instruments the new part must play (those the instruction adds). */
  mustPlay: number[];
  /** Bars of the parent; the new part starts at bar `parentBars + 1`. */
  parentBars: number;
  /** New bars, after clamping to what the header can state. */
  newBars: number;
  change: VariationChange;
  /** The parts of the instruction the new part is held to (the rest only conditions the model as text). */
  applied: string[];
}

const NO_CHANGE: VariationChange = { add: [], drop: [], understood: [] };

/** How to continue `parent` for `bars` more bars, following `instruction` where one is given. */
export function continuationPlan(parent: ParentPiece, bars: number, instruction = ''): ContinuationPlan {
  if (!Number.isInteger(bars) || bars < 1) throw new PromptError('Say how many bars to add: a whole number from 1 up.');
  const start = headerLength(parent.tokens);
  const body = parent.tokens.slice(start, parent.tokens[parent.tokens.length - 1] === EOS ? -1 : undefined);
  // The header states at most MAX_BARS ("that many or more"), so count the bar lines for the real length.
  const parentBars = body.filter((id) => id === BAR).length;
  if (parentBars === 0) throw new PromptError('The piece has no bars, so there is nothing to continue.');
  if (parentBars >= MAX_BARS) {
    throw new PromptError(`The piece is too long to continue: it has ${parentBars} bars, and Motif continues pieces of up to ${MAX_BARS - 1} bars.`);
  }
  const newBars = Math.min(bars, MAX_BARS - parentBars);

  // Changes are relative to where the piece ends, not to its opening.
  const whole = decodeScore(parent.tokens);
  const endTempo = whole.tempos[whole.tempos.length - 1].bpm;
  const endMeter = whole.timeSignatures[whole.timeSignatures.length - 1];
  const atEnd: ScoreHeader = { ...parent.header, bpm: endTempo, timeSignature: [endMeter.numerator, endMeter.denominator] };
  const change = instruction.trim() ? parseChange(instruction) : NO_CHANGE;
  const changed = applyChange(atEnd, change);

  // The parent's bars keep their instruments, so the header keeps them all; "drop" and "only" are left to the text.
  const added = changed.instruments.filter((id) => !parent.header.instruments.includes(id));
  const header: ScoreHeader = {
    ...parent.header,
    key: parent.header.key ?? (added.some((id) => id !== DRUMS) ? changed.key : null),
    instruments: [...parent.header.instruments, ...added].sort((a, b) => a - b),
    bars: parentBars + newBars,
  };
  // The next BAR closes the parent's last bar, so the model writes after it rather than into it.
  const forced = [...encodeHeader(header), ...body, BAR];
  const applied: string[] = [];
  const [numerator, denominator] = normalizeTimeSignature(changed.timeSignature[0], changed.timeSignature[1]);
  if (numerator !== atEnd.timeSignature[0] || denominator !== atEnd.timeSignature[1]) {
    forced.push(tokenId('timeSignature', timeSignatureIndex(numerator, denominator)));
    applied.push(`meter ${numerator}/${denominator}`);
  }
  if (changed.bpm !== endTempo) {
    // A tempo token belongs after a position: the first one of the bar, with no notes yet.
    forced.push(tokenId('position', positionIndex(0)), ...tempoTokens(changed.bpm));
    applied.push(`tempo ${endTempo} -> ${changed.bpm} BPM`);
  }
  for (const id of added) applied.push(`add ${id === DRUMS ? 'drums' : instrumentName(id)}`);
  return {
    header, forced, mustPlay: added, parentBars, newBars, change, applied,
    prompt: instruction.trim() ? `${parent.prompt}, ${instruction.trim()}` : parent.prompt,
  };
}
