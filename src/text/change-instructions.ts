/**
 * The change-instruction parser: what someone asks of a piece they heard ("faster", "+20 bpm", "in D minor",
 * "add strings", "no drums", "calmer", "longer") as changes relative to it. Absolute values ("in D minor", "at 140
 * bpm", "as a waltz") are the prompt parser's; this adds the relative ones and who plays. Applying a change to a
 * piece is the engine's (src/inference/variation.ts).
 */
import { instrumentName } from '../music/instruments.ts';
import { keyName, type Key, type Mode } from '../music/keys.ts';
import { DRUMS } from '../music/score.ts';
import { numberValue, smallNumberWordPattern } from './numbers.ts';
import { longestPhraseAt, phraseWords, type PhraseEffects } from './phrases.ts';
import { parsePrompt, type PromptResult } from './prompt.ts';
import { GENERIC_GUITAR, resolveGuitar } from './words.ts';

export type TempoChange = { kind: 'set'; bpm: number } | { kind: 'scale'; factor: number } | { kind: 'shift'; bpm: number };
export type LengthChange = { kind: 'set'; bars: number } | { kind: 'scale'; factor: number } | { kind: 'seconds'; seconds: number };

export interface VariationChange {
  tempo?: TempoChange;
  key?: Key;
  /** Parallel mode (same tonic), when no key is named. */
  mode?: Mode;
  /** Semitones to move the music (and the key's tonic, unless a whole octave). */
  transpose?: number;
  timeSignature?: [number, number];
  add: number[];
  drop: number[];
  /** When set, the instruments become exactly these (and drums as `drums` says). */
  only?: number[];
  drums?: boolean;
  length?: LengthChange;
  energy?: 'up' | 'down';
  /** What was understood, in words, for logs and replies. */
  understood: string[];
}

export type ChangeResult = { ok: true; change: VariationChange } | { ok: false; error: string };

const REMOVE_CUES = new Set(['no', 'without', 'drop', 'remove', 'minus', 'lose', 'mute', 'cut', 'less', 'ditch', 'kill', 'delete', 'strip', 'replace', 'swap', 'switch', 'except', 'out']);
const ADD_CUES = new Set(['add', 'with', 'plus', 'include', 'bring', 'more', 'use', 'adding', 'featuring', 'feature', 'for', 'by', 'into']);
const ONLY_CUES = new Set(['only', 'just', 'solo']);
/** Drum words that describe rhythm in an instruction ("a faster beat") rather than ask for a drum kit. */
const RHYTHM_WORDS = new Set(['beat', 'backbeat']);

/**
 * Reads an instruction as changes relative to a parent, or says in a sentence for the user why it cannot be done
 * ("at 500 bpm"). Anything not understood still conditions the model as text.
 */
export function parseChangeInstruction(instruction: string): ChangeResult {
  const text = instruction.toLowerCase().replace(/[’']/g, '');
  const change: VariationChange = { add: [], drop: [], understood: [] };
  // Relative amounts ("+20 bpm", "10% faster") are read here, not as absolute values by the prompt parser.
  const rest = instruction.replace(/[+-]\s*\d+\s*(?:bpm|%)|\d+\s*(?:bpm|%)\s+(?:faster|quicker|slower)/gi, ' ');
  const parsed: PromptResult = rest.trim() ? parsePrompt(rest) : { ok: true, attributes: {} };
  if (!parsed.ok) return parsed;
  const attributes = parsed.attributes;

  readTempo(text, change, attributes.bpm, attributes.tempoRange);
  readEnergy(text, change);
  readPitch(text, change, attributes.key, attributes.mode);
  if (attributes.timeSignature) {
    change.timeSignature = attributes.timeSignature;
    change.understood.push(`meter ${attributes.timeSignature.join('/')}`);
  }
  readInstruments(instruction, change, attributes.genres ?? []);
  readLength(text, change, attributes.bars, attributes.seconds);
  return { ok: true, change };
}

function readTempo(text: string, change: VariationChange, bpm: number | undefined, range: [number, number] | undefined): void {
  let m: RegExpMatchArray | null;
  if ((m = text.match(/([+-])\s*(\d{1,3})\s*bpm/))) change.tempo = { kind: 'shift', bpm: (m[1] === '-' ? -1 : 1) * Number(m[2]) };
  else if ((m = text.match(/(\d{1,3})\s*bpm\s+(faster|quicker|slower)/))) change.tempo = { kind: 'shift', bpm: (m[2] === 'slower' ? -1 : 1) * Number(m[1]) };
  else if ((m = text.match(/(\d{1,3})\s*%\s*(faster|quicker|slower)/))) change.tempo = { kind: 'scale', factor: m[2] === 'slower' ? 1 / (1 + Number(m[1]) / 100) : 1 + Number(m[1]) / 100 };
  else if (/\b(double[- ]time|twice as fast)\b/.test(text)) change.tempo = { kind: 'scale', factor: 2 };
  else if (/\b(half[- ]time|half[- ]speed|twice as slow)\b/.test(text)) change.tempo = { kind: 'scale', factor: 0.5 };
  else if ((m = text.match(/\b(much|way|a lot|a little|a bit|slightly|somewhat)?\s*(faster|quicker|speed(?:ed)? up|slower|slow(?:ed)? down)\b/))) {
    const amount = m[1] === undefined ? 1.2 : /much|way|a lot/.test(m[1]) ? 1.4 : 1.1;
    change.tempo = { kind: 'scale', factor: /slow/.test(m[2]) ? 1 / amount : amount };
  } else if (bpm !== undefined) change.tempo = { kind: 'set', bpm };
  else if (range) change.tempo = { kind: 'set', bpm: Math.round((range[0] + range[1]) / 2) };
  const tempo = change.tempo;
  if (!tempo) return;
  change.understood.push(tempo.kind === 'set' ? `tempo ${tempo.bpm} BPM` : tempo.kind === 'shift'
    ? `tempo ${tempo.bpm > 0 ? '+' : ''}${tempo.bpm} BPM` : `tempo x${tempo.factor.toFixed(2)}`);
}

function readEnergy(text: string, change: VariationChange): void {
  if (/\b(more energ\w*|energetic|livelier|more lively|more intense|intense|punchier|more drive|hype|pump(?:ed)? up|more exciting)\b/.test(text)) change.energy = 'up';
  else if (/\b(calmer|calm|more relaxed|relaxed|gentler|softer|mellower|less energ\w*|chill(?:er)?|quieter|more peaceful)\b/.test(text)) change.energy = 'down';
  if (change.energy) change.understood.push(change.energy === 'up' ? 'more energy' : 'calmer');
}

/** "up 2 semitones", "down by three half steps", "lower an octave": a count up to twelve and a unit. */
const TRANSPOSE_BY = new RegExp(
  `\\b(up|down|higher|lower)\\s+(?:by\\s+)?(\\d+|an?|${smallNumberWordPattern(1, 12)})\\s*(semitones?|half[- ]?steps?|whole[- ]?steps?|steps?|tones?|octaves?)\\b`,
);

function readPitch(text: string, change: VariationChange, key: Key | undefined, mode: Mode | undefined): void {
  const m = text.match(TRANSPOSE_BY);
  if (m) {
    const units = numberValue(m[2]) * (/octave/.test(m[3]) ? 12 : /whole|^step|^tone/.test(m[3]) ? 2 : 1);
    change.transpose = (/up|higher/.test(m[1]) ? 1 : -1) * units;
    change.understood.push(`transpose ${change.transpose > 0 ? '+' : ''}${change.transpose} semitones`);
  } else if (/\b(an octave (up|higher)|(up|higher) an octave)\b/.test(text)) {
    change.transpose = 12;
    change.understood.push('up an octave');
  } else if (/\b(an octave (down|lower)|(down|lower) an octave)\b/.test(text)) {
    change.transpose = -12;
    change.understood.push('down an octave');
  }
  if (key) {
    change.key = key;
    change.understood.push(`key ${keyName(key)}`);
  } else if (mode) {
    change.mode = mode;
    change.understood.push(`${mode} mode`);
  }
}

/** Instruments or the drum kit, as opposed to a genre that brings drums with it ("breakbeat"). */
function namesPlayers(effects: PhraseEffects): boolean {
  return Boolean(effects.instruments?.length || (effects.drums !== undefined && !effects.genre));
}

function readInstruments(instruction: string, change: VariationChange, genres: string[]): void {
  const words = phraseWords(instruction);
  let polarity: 'add' | 'remove' | undefined;
  let only = false;
  let explicitCue = false;
  const listed: Array<{ id: number; remove: boolean }> = [];
  for (let i = 0; i < words.length; ) {
    const word = words[i];
    if (word === 'instead' && words[i + 1] === 'of') {
      polarity = 'remove';
      explicitCue = true;
      i += 2;
      continue;
    }
    const match = longestPhraseAt(words, i);
    if (!match || !namesPlayers(match.entry.effects)) {
      if (REMOVE_CUES.has(word)) polarity = 'remove';
      else if (ADD_CUES.has(word)) polarity = 'add';
      else if (ONLY_CUES.has(word)) only = true;
      if (REMOVE_CUES.has(word) || ADD_CUES.has(word)) explicitCue = true;
      i += 1;
      continue;
    }
    const { effects } = match.entry;
    const phrase = words.slice(i, i + match.length).join(' ');
    i += match.length;
    if (effects.solo) only = true;
    if (RHYTHM_WORDS.has(phrase) && !explicitCue) continue;
    const remove = polarity === 'remove' || effects.drums === false;
    for (const id of effects.instruments ?? []) listed.push({ id: id === GENERIC_GUITAR ? resolveGuitar(genres) : id, remove });
    if (effects.drums !== undefined) listed.push({ id: DRUMS, remove: remove || effects.drums === false });
  }
  for (const { id, remove } of listed) {
    if (id === DRUMS) change.drums = !remove;
    else (remove ? change.drop : change.add).push(id);
  }
  change.add = [...new Set(change.add)].filter((id) => !change.drop.includes(id));
  change.drop = [...new Set(change.drop)];
  if (only && change.add.length) {
    change.only = change.add;
    change.drums ??= false;
  }
  if (change.only) change.understood.push(`only ${change.only.map(instrumentName).join(' + ')}`);
  else {
    for (const id of change.add) change.understood.push(`add ${instrumentName(id)}`);
    for (const id of change.drop) change.understood.push(`drop ${instrumentName(id)}`);
  }
  if (change.drums !== undefined) change.understood.push(change.drums ? 'add drums' : 'drop drums');
}

function readLength(text: string, change: VariationChange, bars: number | undefined, seconds: number | undefined): void {
  if (/\b(twice as long|double (the )?length|much longer)\b/.test(text)) change.length = { kind: 'scale', factor: 2 };
  else if (/\b(half as long|half the length|much shorter)\b/.test(text)) change.length = { kind: 'scale', factor: 0.5 };
  else if (/\blonger\b/.test(text)) change.length = { kind: 'scale', factor: 1.5 };
  else if (/\bshorter\b/.test(text)) change.length = { kind: 'scale', factor: 2 / 3 };
  else if (bars !== undefined) change.length = { kind: 'set', bars };
  else if (seconds !== undefined) change.length = { kind: 'seconds', seconds };
  const length = change.length;
  if (!length) return;
  change.understood.push(length.kind === 'set' ? `${length.bars} bars` : length.kind === 'seconds' ? `${length.seconds} s` : `length x${length.factor.toFixed(2)}`);
}
