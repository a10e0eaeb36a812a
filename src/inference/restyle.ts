/**
 * Restyling: a piece's melody kept note for note, everything else written anew from a prompt. The prompt's request
 * (resolveRequest) gives the header's tempo, key, instruments and feel; the kept part adds its instrument, its meter
 * and its length (its notes are placed in the piece's bars), and KeptPartProcessor (kept-part.ts) holds the decoder
 * to its notes while the model writes the other parts around them.
 */
import { findMelodyTrack } from '../analysis/melody.ts';
import { clampBpm } from '../music/grid.ts';
import { instrumentName } from '../music/instruments.ts';
import type { Key, Mode } from '../music/keys.ts';
import { barsOf, scoreEndTick, type Score } from '../music/score.ts';
import { parsePrompt } from '../text/prompt.ts';
import { decodeHeader, encodeScore } from '../tokens/tokenizer.ts';
import { MAX_BARS } from '../tokens/vocab.ts';
import { PromptError } from './errors.ts';
import { keptPartOf, type KeptPart } from './kept-part.ts';
import type { ResolvedRequest } from './request.ts';

export interface KeptTrack {
  /** Index in the file's tracks. */
  index: number;
  name: string;
  /** GM program. */
  instrument: number;
  /** Semitones the part moved to reach the key the prompt asked for (0 when it asked for none). */
  transposed: number;
}

export interface RestylePlan {
  /** The request with its header fitted around the kept part. */
  resolved: ResolvedRequest;
  part: KeptPart;
  kept: KeptTrack;
}

/** The track `keep` names ("flute", a track's name), or the melody found by analysis. */
export function chooseKeptTrack(score: Score, keep?: string): number {
  const pitched = score.tracks.map((track, index) => ({ track, index })).filter(({ track }) => !track.isDrum && track.notes.length > 0);
  if (pitched.length === 0) throw new PromptError('The file has no melody to keep: none of its parts plays pitched notes.');
  if (!keep?.trim()) return findMelodyTrack(score);
  const words = keep.trim().toLowerCase();
  const parsed = parsePrompt(words);
  const programs = parsed.ok ? parsed.attributes.instruments ?? [] : [];
  const named = pitched.filter(({ track }) => programs.includes(track.program)
    || track.name.toLowerCase().includes(words) || instrumentName(track.program).includes(words));
  if (named.length === 0) {
    const parts = pitched.map(({ track }) => track.name.trim() || instrumentName(track.program));
    throw new PromptError(`No part of the file is "${keep.trim()}". Its pitched parts: ${parts.join(', ')}.`);
  }
  return named.reduce((best, entry) => (entry.track.notes.length > best.track.notes.length ? entry : best)).index;
}

/** The tonic of the major key with the same notes (the relative major of a minor key). */
function relativeMajorTonic(key: Key): number {
  return key.mode === 'minor' ? (key.tonic + 3) % 12 : key.tonic;
}

/** The key with `key`'s notes in `mode` (its relative major or minor). */
function inMode(key: Key, mode: Mode): Key {
  if (key.mode === mode) return key;
  const major = relativeMajorTonic(key);
  return mode === 'major' ? { tonic: major, mode } : { tonic: (major + 9) % 12, mode };
}

/**
 * Semitones from `from` to `to`, the nearer way, between the keys' relative majors: a melody keeps its notes' roles
 * in the scale (D minor to F major moves nothing, D minor to C major moves it down a tone).
 */
function transposition(from: Key, to: Key): number {
  const up = (relativeMajorTonic(to) - relativeMajorTonic(from) + 12) % 12;
  return up > 6 ? up - 12 : up;
}

export function restylePlan(score: Score, request: ResolvedRequest, keep?: string): RestylePlan {
  const index = chooseKeptTrack(score, keep);
  const bars = barsOf(score, scoreEndTick(score)).length;
  if (bars >= MAX_BARS) {
    throw new PromptError(`The file is too long to restyle: it has ${bars} bars, and Motif restyles pieces of up to ${MAX_BARS - 1} bars.`);
  }
  const sourceKey = decodeHeader(encodeScore(score)).key;
  const spec = { ...request.spec };
  let semitones = 0;
  if (spec.key && sourceKey) semitones = transposition(sourceKey, spec.key);
  else if (sourceKey) spec.key = spec.mode ? inMode(sourceKey, spec.mode) : sourceKey;
  delete spec.mode;
  const part = keptPartOf(score, index, semitones, bars);
  const track = score.tracks[index];
  // The part fixes the meter (kept-part.ts forces it) and the length; a prompt without a tempo keeps the file's.
  delete spec.timeSignature;
  delete spec.seconds;
  spec.bars = part.bars;
  spec.steady = false;
  if (spec.bpm === undefined && !spec.tempoRange) spec.bpm = clampBpm(score.tempos[0]?.bpm ?? 120);
  if (spec.instruments) spec.instruments = [...new Set([...spec.instruments, part.instrument])].sort((a, b) => a - b);
  else {
    if (spec.palette) spec.palette = [...spec.palette, part.instrument];
    spec.maxInstruments += 1;
  }
  const keptTokens = part.groups.reduce((sum, group) => sum + group.tokens.length, 0);
  return {
    resolved: {
      ...request,
      spec,
      // The kept part plays whatever happens; the model is asked only for the others.
      mustPlay: request.mustPlay.filter((id) => id !== part.instrument),
      // The kept notes are forced tokens of the new part: they must not use up the model's allowance.
      maxTokens: request.maxTokens + keptTokens,
    },
    part,
    kept: { index, name: track.name.trim() || instrumentName(track.program), instrument: part.instrument, transposed: semitones },
  };
}
