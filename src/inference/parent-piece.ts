/**
 * A person's own music (a MIDI file read into a score) as the ParentPiece that `vary`, `extend` and `continuePiece`
 * work from, so their music goes through the same engine calls as Motif's own takes.
 */
import { describeAttributes } from '../text/prompt.ts';
import { seedFromString } from '../music/random.ts';
import { DRUMS, noteCount, type Score } from '../music/score.ts';
import { decodeHeader, encodeScore } from '../tokens/tokenizer.ts';
import { PromptError } from './errors.ts';
import type { ParentPiece } from './engine.ts';

/**
 * The score tokenized as it is. A take's prompt conditions its follow-ups; a file has none, so its measured attributes
 * in words stand in (the kind of text the model was trained on). The seed is derived from the tokens, so the same file
 * gives the same follow-up unless a seed is asked for.
 */
export function parentFromScore(score: Score): ParentPiece {
  if (noteCount(score) === 0) throw new PromptError('The file has no notes, so there is nothing to work from.');
  const tokens = encodeScore(score);
  const header = decodeHeader(tokens);
  const prompt = describeAttributes({
    bpm: header.bpm, timeSignature: header.timeSignature, ...(header.key ? { key: header.key } : {}),
    instruments: header.instruments.filter((id) => id !== DRUMS), drums: header.instruments.includes(DRUMS),
  });
  return { prompt, header, tokens, seed: seedFromString(tokens.join(' ')) };
}
