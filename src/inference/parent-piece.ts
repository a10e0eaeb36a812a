/**
 * The earlier piece that `vary`, `extend` and `continuePiece` work from: one of Motif's own takes, or a person's own
 * music (a MIDI file read into a score), so their music goes through the same engine calls as Motif's takes.
 */
import { describeAttributes } from '../text/prompt.ts';
import { seedFromString } from '../music/random.ts';
import { noteCount, type Score } from '../music/score.ts';
import { decodeHeader, encodeScore, type ScoreHeader } from '../tokens/tokenizer.ts';
import { PromptError } from './errors.ts';
import type { Form } from './form.ts';
import { headerAttributes } from './header-attributes.ts';

/** What `vary`, `extend` and `continuePiece` need of an earlier piece; a Composition is one. */
export interface ParentPiece {
  prompt: string;
  header: ScoreHeader;
  tokens: readonly number[];
  seed: number;
  /** The sections of a piece composed in form; an extension adds its new bars as one more. */
  form?: Form;
}

/**
 * The score tokenized as it is. A take's prompt conditions its follow-ups; a file has none, so its measured attributes
 * in words stand in (the kind of text the model was trained on). The seed is derived from the tokens, so the same file
 * gives the same follow-up unless a seed is asked for.
 */
export function parentFromScore(score: Score): ParentPiece {
  if (noteCount(score) === 0) throw new PromptError('The file has no notes, so there is nothing to work from.');
  const tokens = encodeScore(score);
  const header = decodeHeader(tokens);
  // The file's length stays out of the caption: every follow-up states a length of its own.
  const prompt = describeAttributes({ ...headerAttributes(header), bars: undefined });
  return { prompt, header, tokens, seed: seedFromString(tokens.join(' ')) };
}
