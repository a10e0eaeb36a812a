/**
 * Variations: a change to a parent piece (read from an instruction by src/text/change-instructions.ts) applied to the
 * parent's header, and the parent's opening bars rewritten to fit (transposed, re-barred, instruments filtered) as
 * the prefix the model continues from.
 */
import { clampBpm } from '../music/grid.ts';
import type { Mode } from '../music/keys.ts';
import { DRUMS, barTicks, barsOf, instrumentOf, sliceBars, type Score } from '../music/score.ts';
import { decodeScore, encodeScore, type ScoreHeader } from '../tokens/tokenizer.ts';
import { BAR, MAX_BARS } from '../tokens/vocab.ts';
import { parseChangeInstruction, type VariationChange } from '../text/change-instructions.ts';
import { PromptError } from './errors.ts';
import { headerLength } from '../tokens/tokenizer.ts';

export type { VariationChange };

/** Reads an instruction as a change (see parseChangeInstruction); throws a PromptError when it cannot be done. */
export function parseChange(instruction: string): VariationChange {
  const read = parseChangeInstruction(instruction);
  if (!read.ok) throw new PromptError(read.error);
  return read.change;
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
