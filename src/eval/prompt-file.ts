/**
 * The evaluation's prompt file: one JSON object a line, `{"prompt": "...", "expect": {...}}` (docs/EVAL.md).
 * Expectations are checked here and turned into values the judge can compare (GM programs, Key, [n, d]); fields the
 * notes cannot show (genre, mood) and fields this code does not know are kept as they are for the report.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_BPM, MIN_BPM, timeSignatureIndex } from '../music/grid.ts';
import { GM_PROGRAM_NAMES, programByName } from '../music/instruments.ts';
import { letterPitchClass, modeOf, type Key } from '../music/keys.ts';

export class PromptFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptFileError';
  }
}

/** Expectations that can be read from the notes, in the judge's terms. */
export interface Expectation {
  /** The prompt must be refused with a message. */
  error: boolean;
  bpm?: number;
  /** Inclusive; from tempoMin / tempoMax (a missing bound is the grid's limit). */
  tempoRange?: [number, number];
  key?: Key;
  timeSignature?: [number, number];
  /** GM programs 0-127. */
  instruments?: number[];
  drums?: boolean;
  bars?: number;
}

export interface EvalPrompt {
  /** 1-based line in the file. */
  line: number;
  prompt: string;
  /** The `expect` object as written. */
  expect: Record<string, unknown>;
  expectation: Expectation;
  /** Genre and mood: stated, kept, not scored (no classifier reads them from notes). */
  notScored: Record<string, unknown>;
  /** Fields of `expect` this harness does not know; kept in the report. */
  unknown: Record<string, unknown>;
}

export const NOT_SCORED_FIELDS = ['genre', 'mood'] as const;
const KNOWN_FIELDS = new Set(['error', 'bpm', 'tempoMin', 'tempoMax', 'key', 'timeSignature', 'instruments', 'drums', 'bars', ...NOT_SCORED_FIELDS]);

/** "D minor", "Bb major", "F# minor", "c# min" as a Key; undefined when it is not a key name. */
export function parseKeyName(text: string): Key | undefined {
  const match = /^([a-g])\s*([#♯b♭]?)\s*(major|minor|maj|min)$/i.exec(text.trim());
  if (!match) return undefined;
  const accidental = match[2].replace('♯', '#').replace('♭', 'b');
  return { tonic: letterPitchClass(match[1], accidental)!, mode: modeOf(match[3])! };
}

const bpm = z.number().int().min(MIN_BPM).max(MAX_BPM);
const expectSchema = z.looseObject({
  error: z.boolean().optional(),
  bpm: bpm.optional(),
  tempoMin: bpm.optional(),
  tempoMax: bpm.optional(),
  key: z.string().refine((text) => parseKeyName(text) !== undefined, { error: 'key must read like "D minor" or "Bb major"' }).optional(),
  timeSignature: z.string().regex(/^\d+\/\d+$/, 'timeSignature must read like "3/4"')
    .refine((text) => timeSignatureIndex(...(text.split('/').map(Number) as [number, number])) >= 0, { error: 'that time signature has no token' })
    .optional(),
  instruments: z.array(z.string().refine((name) => programByName(name) >= 0, {
    error: (issue) => `"${String(issue.input)}" is not a GM program name (e.g. "${GM_PROGRAM_NAMES[0]}"; the drum kit is "drums": true)`,
  })).optional(),
  drums: z.boolean().optional(),
  bars: z.number().int().min(1).optional(),
});
const lineSchema = z.object({ prompt: z.string(), expect: expectSchema.default({}) });

function toExpectation(expect: z.output<typeof expectSchema>): Expectation {
  const expectation: Expectation = { error: expect.error === true };
  if (expect.bpm !== undefined) expectation.bpm = expect.bpm;
  if (expect.tempoMin !== undefined || expect.tempoMax !== undefined) expectation.tempoRange = [expect.tempoMin ?? MIN_BPM, expect.tempoMax ?? MAX_BPM];
  if (expect.key !== undefined) expectation.key = parseKeyName(expect.key);
  if (expect.timeSignature !== undefined) expectation.timeSignature = expect.timeSignature.split('/').map(Number) as [number, number];
  if (expect.instruments !== undefined) expectation.instruments = [...new Set(expect.instruments.map(programByName))].sort((a, b) => a - b);
  if (expect.drums !== undefined) expectation.drums = expect.drums;
  if (expect.bars !== undefined) expectation.bars = expect.bars;
  return expectation;
}

/** Parses the text of a prompt file; `source` names it in error messages. */
export function parsePromptFile(text: string, source = 'prompts'): EvalPrompt[] {
  const prompts: EvalPrompt[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new PromptFileError(`${source}:${line}: not JSON (${(error as Error).message})`);
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PromptFileError(`${source}:${line}: ${[...issue.path].join('.') || 'line'}: ${issue.message}`);
    }
    const { prompt, expect } = parsed.data;
    const expectation = toExpectation(expect);
    if (expectation.tempoRange && expectation.tempoRange[0] > expectation.tempoRange[1]) {
      throw new PromptFileError(`${source}:${line}: tempoMin is above tempoMax`);
    }
    const pick = (keep: (field: string) => boolean) => Object.fromEntries(Object.entries(expect).filter(([field]) => keep(field)));
    prompts.push({
      line,
      prompt,
      expect: expect as Record<string, unknown>,
      expectation,
      notScored: pick((field) => (NOT_SCORED_FIELDS as readonly string[]).includes(field)),
      unknown: pick((field) => !KNOWN_FIELDS.has(field)),
    });
  });
  if (prompts.length === 0) throw new PromptFileError(`${source} holds no prompts`);
  return prompts;
}

export function readPromptFile(file: string): EvalPrompt[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PromptFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parsePromptFile(text, file);
}
