/**
 * What a score's header states, in the terms of a request: the prompt attributes a follow-up is held to, and that
 * logs, captions and the CLI describe a piece by.
 */
import { DRUMS } from '../music/score.ts';
import type { PromptAttributes } from '../text/prompt.ts';
import type { ScoreHeader } from '../tokens/tokenizer.ts';

/** Every attribute a header states: the kit is `drums`, not one of the instruments, as in a prompt. */
export type HeaderAttributes = Required<Pick<PromptAttributes, 'bpm' | 'timeSignature' | 'instruments' | 'drums' | 'bars'>> & Pick<PromptAttributes, 'key'>;

export function headerAttributes(header: ScoreHeader): HeaderAttributes {
  return {
    bpm: header.bpm,
    timeSignature: header.timeSignature,
    instruments: header.instruments.filter((id) => id !== DRUMS),
    drums: header.instruments.includes(DRUMS),
    bars: header.bars,
    ...(header.key ? { key: header.key } : {}),
  };
}
