/**
 * The /compose options, checked before any work starts: a prompt the parser accepts and option values that make
 * sense. Errors are sentences for the user.
 */
import { MAX_BPM, MIN_BPM } from '../music/grid.ts';
import type { Key } from '../music/keys.ts';
import { MAX_BARS, parsePrompt } from '../text/prompt.ts';
import { DRUMS } from '../music/score.ts';
import { MAX_PROMPT_LENGTH } from './messages.ts';

export const MAX_TAKES = 4;
/** The longest key and instruments options: Discord enforces them, and this check holds them for any other client. */
export const MAX_KEY_LENGTH = 20;
export const MAX_INSTRUMENTS_LENGTH = 200;
const MAX_SEED = 0xffffffff;

/** What a compose request asks for; stored with the request so that Regenerate can ask again. */
export interface ComposeOptions {
  prompt: string;
  bpm?: number;
  key?: Key;
  bars?: number;
  /** GM programs, DRUMS for the kit. */
  instruments?: number[];
  seed?: number;
}

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

export function checkPromptText(prompt: string | null | undefined): { ok: true; prompt: string } | { ok: false; error: string } {
  const text = (prompt ?? '').trim();
  if (text === '') return { ok: false, error: 'The prompt is empty: describe the music you want, for example "sad piano in D minor, 80 BPM".' };
  if (text.length > MAX_PROMPT_LENGTH) {
    return { ok: false, error: `The prompt is too long (${text.length} characters): keep it to ${MAX_PROMPT_LENGTH}.` };
  }
  return { ok: true, prompt: text };
}

const wholeIn = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

export function checkComposeOptions(raw: RawComposeOptions, defaultTakes: number): Checked {
  const prompt = checkPromptText(raw.prompt);
  if (!prompt.ok) return prompt;
  const parsed = parsePrompt(prompt.prompt);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  const options: ComposeOptions = { prompt: prompt.prompt };
  if (raw.bpm !== null) {
    if (!wholeIn(raw.bpm, MIN_BPM, MAX_BPM)) return { ok: false, error: `The tempo must be a whole number from ${MIN_BPM} to ${MAX_BPM} BPM.` };
    options.bpm = raw.bpm;
  }
  if (raw.bars !== null) {
    if (!wholeIn(raw.bars, 1, MAX_BARS)) return { ok: false, error: `The length must be from 1 to ${MAX_BARS} bars.` };
    options.bars = raw.bars;
  }
  if (raw.seed !== null) {
    if (!wholeIn(raw.seed, 0, MAX_SEED)) return { ok: false, error: `The seed must be a whole number from 0 to ${MAX_SEED}.` };
    options.seed = raw.seed;
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
