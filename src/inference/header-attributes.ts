/**
 * What a score's header states, in the terms of a request: the prompt attributes a follow-up is held to, and that
 * logs, captions and the CLI describe a piece by.
 */
import { DRUMS } from '../music/score.ts';
import type { PromptAttributes } from '../text/prompt.ts';
import type { ScoreHeader } from '../tokens/tokenizer.ts';
import type { HeaderSpec } from './header-spec.ts';

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

/** A request held to every slot of `header`: the spec of a follow-up (vary, extend, a form's sections). */
export function specForHeader(header: ScoreHeader): HeaderSpec {
  return {
    ...headerAttributes(header), key: header.key ?? undefined, barsRange: [header.bars, header.bars], maxInstruments: header.instruments.length,
  };
}
