/**
 * The MIDI file a follow-up command (vary, extend, continue) starts from, read with the same bounded reader as
 * `render` and tokenized as the piece the engine works from.
 */
import { parentFromScore, type ParentPiece } from '../inference/index.ts';
import { inputBaseName, readScoreInput } from './input.ts';

export interface ParentInput {
  parent: ParentPiece;
  /** The file's name without its extension, for the files written and the picture's title. */
  name: string;
}

/** Read before the model loads, so that a file that is not MIDI or has no notes costs no model load. */
export async function readParentInput(spec: string, command: string): Promise<ParentInput> {
  const score = await readScoreInput(spec, command);
  return { parent: parentFromScore(score), name: inputBaseName(spec) };
}
