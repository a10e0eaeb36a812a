/**
 * The /compose options, checked before a job is accepted: a prompt the parser accepts and option values that make
 * sense. Each rule is the one a compose request is checked with (src/text/prompt.ts for the prompt,
 * src/inference/request.ts for the numbers), so the bot and the CLI refuse the same things in the same words.
 */
import { MAX_SEED, barsOption, bpmOption, optionProblem, seedOption } from '../inference/request.ts';
import type { Key } from '../music/keys.ts';
import { DRUMS } from '../music/score.ts';
import type { ComposeOptions } from '../store/types.ts';
import { parsePrompt } from '../text/prompt.ts';

/** The longest prompt (and change instruction) the bot takes: far under the parser's own cap, and short to show. */
export const MAX_PROMPT_LENGTH = 300;
export const MAX_TAKES = 4;
/** The longest key and instruments options: Discord enforces them, and this check holds them for any other client. */
export const MAX_KEY_LENGTH = 20;
export const MAX_INSTRUMENTS_LENGTH = 200;
export { MAX_SEED };

export interface RawComposeOptions {
  prompt: string | null;
  bpm: number | null;
  key: string | null;
  bars: number | null;
  instruments: string | null;
  seed: number | null;
  takes: number | null;
}

export type Checked = { ok: true; options: ComposeOptions; takes: number } | { ok: false; error: string };

const wholeIn = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

export function checkComposeOptions(raw: RawComposeOptions, defaultTakes: number): Checked {
  const prompt = (raw.prompt ?? '').trim();
  const parsed = parsePrompt(prompt, { maxLength: MAX_PROMPT_LENGTH });
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const options: ComposeOptions = { prompt };
  for (const [name, schema] of [['bpm', bpmOption], ['bars', barsOption], ['seed', seedOption]] as const) {
    const value = raw[name];
    if (value === null) continue;
    const error = optionProblem(schema, value);
    if (error) return { ok: false, error };
    options[name] = value;
  }
  if (raw.key !== null) {
    if (raw.key.length > MAX_KEY_LENGTH) return { ok: false, error: `The key is too long: write it in at most ${MAX_KEY_LENGTH} characters, for example "F# minor".` };
    const key = parseKey(raw.key);
    if (!key.ok) return key;
    options.key = key.key;
  }
  if (raw.instruments !== null) {
    if (raw.instruments.length > MAX_INSTRUMENTS_LENGTH) {
      return { ok: false, error: `The instruments are too long: name them in at most ${MAX_INSTRUMENTS_LENGTH} characters.` };
    }
    const instruments = parseInstruments(raw.instruments);
    if (!instruments.ok) return instruments;
    options.instruments = instruments.instruments;
  }
  const takes = raw.takes ?? defaultTakes;
  if (!wholeIn(takes, 1, MAX_TAKES)) return { ok: false, error: `Ask for 1 to ${MAX_TAKES} takes.` };
  return { ok: true, options, takes };
}

function parseKey(text: string): { ok: true; key: Key } | { ok: false; error: string } {
  const typed = text.trim();
  const parsed = parsePrompt(`in ${typed}`);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  if (!parsed.attributes.key) {
    return { ok: false, error: `"${typed.slice(0, 40)}" is not a key: use a note from A to G, optionally with # or b, then major or minor (for example "F# minor").` };
  }
  return { ok: true, key: parsed.attributes.key };
}

function parseInstruments(text: string): { ok: true; instruments: number[] } | { ok: false; error: string } {
  const parsed = parsePrompt(text);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const instruments = [...(parsed.attributes.instruments ?? []), ...(parsed.attributes.drums ? [DRUMS] : [])];
  if (instruments.length === 0) {
    return { ok: false, error: `I do not know the instruments "${text.trim().slice(0, 60)}": name them like "piano, strings, drums".` };
  }
  return { ok: true, instruments };
}
