/**
 * Variations: an instruction ("faster", "+20 bpm", "in D minor", "add strings", "no drums", "calmer", "longer") read
 * as changes relative to a parent piece, the parent's header with those changes, and the parent's opening bars
 * rewritten to fit (transposed, re-barred, instruments filtered) as the prefix the model continues from.
 */
import { clampBpm } from '../music/grid.ts';
import { keyName, type Key, type Mode } from '../music/keys.ts';
import { instrumentName } from '../music/instruments.ts';
import { parsePrompt, type PromptResult } from '../text/prompt.ts';
import { DRUMS, barTicks, barsOf, instrumentOf, sliceBars, type Score } from '../music/score.ts';
import { decodeScore, encodeScore, type ScoreHeader } from '../tokens/tokenizer.ts';
import { BAR, MAX_BARS } from '../tokens/vocab.ts';
import { GENERIC_GUITAR, LONGEST_PHRASE_WORDS, lookupPhrase, phraseWords, resolveGuitar } from '../text/words.ts';
import { PromptError } from './errors.ts';
import { headerLength } from './window.ts';

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

const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12 };
const REMOVE_CUES = new Set(['no', 'without', 'drop', 'remove', 'minus', 'lose', 'mute', 'cut', 'less', 'ditch', 'kill', 'delete', 'strip', 'replace', 'swap', 'switch', 'except', 'out']);
const ADD_CUES = new Set(['add', 'with', 'plus', 'include', 'bring', 'more', 'use', 'adding', 'featuring', 'feature', 'for', 'by', 'into']);
const ONLY_CUES = new Set(['only', 'just', 'solo']);
/** Drum words that describe rhythm in an instruction ("a faster beat") rather than ask for a drum kit. */
const RHYTHM_WORDS = new Set(['beat', 'backbeat']);

function count(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word] ?? NaN;
}

/** Reads an instruction as changes relative to a parent. Anything not understood still conditions the model as text. */
export function parseChange(instruction: string): VariationChange {
  const text = instruction.toLowerCase().replace(/[’']/g, '');
  const change: VariationChange = { add: [], drop: [], understood: [] };
  // Relative amounts ("+20 bpm", "10% faster") are read here, not as absolute values by the prompt parser.
  const rest = instruction.replace(/[+-]\s*\d+\s*(?:bpm|%)|\d+\s*(?:bpm|%)\s+(?:faster|quicker|slower)/gi, ' ');
  const parsed: PromptResult = rest.trim() ? parsePrompt(rest) : { ok: true, attributes: {} };
  if (!parsed.ok) throw new PromptError(parsed.error);
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
  return change;
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

function readPitch(text: string, change: VariationChange, key: Key | undefined, mode: Mode | undefined): void {
  const m = text.match(/\b(up|down|higher|lower)\s+(?:by\s+)?(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*(semitones?|half[- ]?steps?|whole[- ]?steps?|steps?|tones?|octaves?)\b/);
  if (m) {
    const units = count(m[2]) * (/octave/.test(m[3]) ? 12 : /whole|^step|^tone/.test(m[3]) ? 2 : 1);
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
    let length = Math.min(LONGEST_PHRASE_WORDS, words.length - i);
    let entry;
    for (; length >= 1; length--) if ((entry = lookupPhrase(words.slice(i, i + length)))) break;
    const effects = entry?.effects;
    const isInstrument = effects && (effects.instruments?.length || (effects.drums !== undefined && !effects.genre));
    if (!isInstrument) {
      if (REMOVE_CUES.has(word)) polarity = 'remove';
      else if (ADD_CUES.has(word)) polarity = 'add';
      else if (ONLY_CUES.has(word)) only = true;
      if (REMOVE_CUES.has(word) || ADD_CUES.has(word)) explicitCue = true;
      i += 1;
      continue;
    }
    i += length;
    if (effects.solo) only = true;
    if (words[i - length] && RHYTHM_WORDS.has(words.slice(i - length, i).join(' ')) && !explicitCue) continue;
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

/** The tempo factor an energy change applies when no tempo is named. */
export const ENERGY_TEMPO_FACTOR = 1.1;

/** The parent's header with the changes applied; throws a PromptError when nothing would be left to play. */
export function applyChange(parent: ScoreHeader, change: VariationChange): ScoreHeader {
  let bpm = parent.bpm;
  const tempo = change.tempo;
  if (tempo?.kind === 'set') bpm = tempo.bpm;
  else if (tempo?.kind === 'shift') bpm = parent.bpm + tempo.bpm;
  else if (tempo?.kind === 'scale') bpm = parent.bpm * tempo.factor;
  else if (change.energy) bpm = parent.bpm * (change.energy === 'up' ? ENERGY_TEMPO_FACTOR : 1 / ENERGY_TEMPO_FACTOR);
  bpm = clampBpm(bpm);
  if (bpm === parent.bpm && tempo && tempo.kind !== 'set') bpm = clampBpm(bpm + (tempo.kind === 'shift' ? Math.sign(tempo.bpm) : tempo.factor > 1 ? 1 : -1));

  let key = parent.key;
  if (change.key) key = change.key;
  else if (key && change.mode) key = { tonic: key.tonic, mode: change.mode };
  if (key && change.transpose && !change.key && change.transpose % 12 !== 0) key = { tonic: (((key.tonic + change.transpose) % 12) + 12) % 12, mode: key.mode };

  let instruments = change.only ? [...change.only] : parent.instruments.filter((id) => id !== DRUMS && !change.drop.includes(id));
  if (!change.only) instruments.push(...change.add);
  const drums = change.drums ?? (change.only ? false : parent.instruments.includes(DRUMS));
  if (drums) instruments.push(DRUMS);
  instruments = [...new Set(instruments)].sort((a, b) => a - b);
  if (instruments.length === 0) throw new PromptError('That change would leave nothing to play: keep at least one instrument or the drums.');
  if (key === null && instruments.some((id) => id !== DRUMS)) key = change.key ?? { tonic: 0, mode: change.mode ?? 'major' };

  const timeSignature = change.timeSignature ?? parent.timeSignature;
  let bars = parent.bars;
  const length = change.length;
  if (length?.kind === 'set') bars = length.bars;
  else if (length?.kind === 'scale') bars = Math.round(parent.bars * length.factor);
  else if (length?.kind === 'seconds') bars = Math.round((length.seconds * bpm) / 60 / ((timeSignature[0] * 4) / timeSignature[1]));
  bars = Math.min(MAX_BARS, Math.max(1, bars));
  if (length?.kind === 'scale' && bars === parent.bars) bars = Math.min(MAX_BARS, Math.max(1, bars + (length.factor > 1 ? 1 : -1)));
  return { timeSignature, bpm, key, instruments, bars };
}

/** Opening bars a variation keeps by default: a quarter of the parent, 1 to 4. */
export function defaultKeptBars(parentBars: number): number {
  return Math.max(1, Math.min(4, Math.floor(parentBars / 4)));
}

/** Semitones from the parent's key to the variation's, the shorter way round, plus any octave asked for. */
export function transposition(parent: ScoreHeader, header: ScoreHeader, change: VariationChange): number {
  const octaves = change.transpose !== undefined && change.transpose % 12 === 0 ? change.transpose : 0;
  if (!parent.key || !header.key) return change.transpose ?? 0;
  if (change.transpose !== undefined && !change.key) return change.transpose;
  let interval = (header.key.tonic - parent.key.tonic + 12) % 12;
  if (interval > 6) interval -= 12;
  return interval + octaves;
}

/** Moves a pitch into another mode on the same tonic: major -> minor lowers the 3rd, 6th and 7th; minor -> major raises them. */
export function changeMode(pitch: number, tonic: number, from: Mode, to: Mode): number {
  if (from === to) return pitch;
  const degree = (((pitch - tonic) % 12) + 12) % 12;
  if (from === 'major' && (degree === 4 || degree === 9 || degree === 11)) return pitch - 1;
  if (from === 'minor' && (degree === 3 || degree === 8 || degree === 10)) return pitch + 1;
  return pitch;
}

function intoRange(pitch: number): number {
  let p = pitch;
  while (p > 127) p -= 12;
  while (p < 0) p += 12;
  return p;
}

/** The parent's first `bars` bars rewritten for the new header, as a score starting at tick 0. */
export function variationScore(parent: { tokens: readonly number[]; header: ScoreHeader }, header: ScoreHeader, bars: number, change: VariationChange): Score {
  const whole = decodeScore(parent.tokens);
  const opening = sliceBars(whole, 0, bars);
  const interval = transposition(parent.header, header, change);
  const modeChange = parent.header.key && header.key ? { from: parent.header.key.mode, to: header.key.mode, tonic: header.key.tonic } : undefined;
  const tempoFactor = header.bpm / parent.header.bpm;
  const rebar = header.timeSignature[0] !== parent.header.timeSignature[0] || header.timeSignature[1] !== parent.header.timeSignature[1];
  const oldBars = barsOf(opening, 0, bars);
  const newBarTicks = barTicks(header.timeSignature[0], header.timeSignature[1]);
  const place = (tick: number): number | undefined => {
    if (!rebar) return tick;
    let bar = oldBars[0];
    for (const candidate of oldBars) if (candidate.start <= tick) bar = candidate;
    const offset = tick - bar.start;
    return offset < newBarTicks ? bar.index * newBarTicks + offset : undefined;
  };
  const tracks = opening.tracks
    .filter((track) => header.instruments.includes(instrumentOf(track)))
    .map((track) => ({
      ...track,
      notes: track.notes.flatMap((note) => {
        const onset = place(note.onset);
        if (onset === undefined) return [];
        let pitch = note.pitch;
        if (!track.isDrum) {
          pitch += interval;
          if (modeChange) pitch = changeMode(pitch, modeChange.tonic, modeChange.from, modeChange.to);
          pitch = intoRange(pitch);
        }
        return [{ ...note, onset, pitch }];
      }),
    }))
    .filter((track) => track.notes.length > 0);
  return {
    tempos: opening.tempos.flatMap((tempo) => {
      const tick = place(tempo.tick);
      return tick === undefined ? [] : [{ tick, bpm: clampBpm(tempo.tick === 0 ? header.bpm : tempo.bpm * tempoFactor) }];
    }),
    timeSignatures: rebar ? [{ tick: 0, numerator: header.timeSignature[0], denominator: header.timeSignature[1] }] : opening.timeSignatures,
    tracks,
  };
}

/**
 * The body tokens of the parent's opening rewritten for the new header, up to the BAR that starts the next bar (so
 * `bars` must be fewer than the header's), and the bars kept; none when nothing of the opening is left to play.
 */
export function variationPrefix(
  parent: { tokens: readonly number[]; header: ScoreHeader }, header: ScoreHeader, bars: number, change: VariationChange,
): { tokens: number[]; bars: number } {
  if (bars <= 0) return { tokens: [], bars: 0 };
  const score = variationScore(parent, header, bars, change);
  if (score.tracks.length === 0) return { tokens: [], bars: 0 };
  const ids = encodeScore(score, { key: header.key, bars });
  // The next BAR closes the kept bars, so the model writes after them rather than into them.
  return { tokens: [...ids.slice(headerLength(ids), -1), BAR], bars };
}
