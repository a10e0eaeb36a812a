/**
 * How much a variation keeps of its parent, and whether the change it was asked for holds.
 *
 * Pitch content is a duration-weighted histogram of pitch classes relative to each piece's key (so a transposed
 * copy counts as the same material); rhythm content is a histogram of onset positions within the bar (each onset
 * counted once per bar, drums included); both are compared by cosine similarity. Two tonal pieces share much of
 * both, so `shared` measures identity itself: the fraction of the parent's note events (bar, position, pitch class
 * relative to the key, or drum key) that the variation has at the same place. All three run from 0 to 1.
 */
import { positionIndex, POSITIONS_PER_BAR } from '../music/grid.ts';
import { keyName, sameKey } from '../music/keys.ts';
import { instrumentName } from '../music/instruments.ts';
import { DRUMS, barsOf, instrumentOf, scoreEndTick, type Score } from '../music/score.ts';
import { decodeScore, type ScoreHeader } from '../tokens/tokenizer.ts';
import { applyChange, type VariationChange } from './variation.ts';

export interface Similarity {
  pitchClass: number;
  rhythm: number;
  /** The parent's note events found at the same bar and position in the variation. */
  shared: number;
  /** The mean of the three. */
  overall: number;
}

interface Piece {
  tokens: readonly number[];
  header: ScoreHeader;
}

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Duration-weighted pitch classes of the pitched notes, relative to `tonic`. */
export function pitchClassProfile(score: Score, tonic: number): Float64Array {
  const profile = new Float64Array(12);
  for (const track of score.tracks) {
    if (track.isDrum) continue;
    for (const note of track.notes) profile[(((note.pitch - tonic) % 12) + 12) % 12] += note.duration;
  }
  return profile;
}

/** How often each in-bar onset position is used, counting each position once per bar. */
export function rhythmProfile(score: Score): Float64Array {
  const profile = new Float64Array(POSITIONS_PER_BAR);
  const bars = barsOf(score, scoreEndTick(score));
  const onsets = new Set<number>();
  for (const track of score.tracks) for (const note of track.notes) onsets.add(note.onset);
  let bar = 0;
  for (const onset of [...onsets].sort((x, y) => x - y)) {
    while (bar + 1 < bars.length && bars[bar + 1].start <= onset) bar += 1;
    const position = positionIndex(onset - bars[bar].start);
    if (position >= 0) profile[position] += 1;
  }
  return profile;
}

/** Note events as "bar:position:pitch class relative to the tonic" (drums: "bar:position:dKEY"). */
export function noteEvents(score: Score, tonic: number): Set<string> {
  const bars = barsOf(score, scoreEndTick(score));
  const events = new Set<string>();
  for (const track of score.tracks) {
    let bar = 0;
    for (const note of [...track.notes].sort((x, y) => x.onset - y.onset)) {
      while (bar + 1 < bars.length && bars[bar + 1].start <= note.onset) bar += 1;
      const what = track.isDrum ? `d${note.pitch}` : String((((note.pitch - tonic) % 12) + 12) % 12);
      events.add(`${bar}:${note.onset - bars[bar].start}:${what}`);
    }
  }
  return events;
}

export function scoreSimilarity(parent: Score, parentTonic: number, variation: Score, variationTonic: number): Similarity {
  const pitchClass = cosine(pitchClassProfile(parent, parentTonic), pitchClassProfile(variation, variationTonic));
  const rhythm = cosine(rhythmProfile(parent), rhythmProfile(variation));
  const ours = noteEvents(parent, parentTonic);
  const theirs = noteEvents(variation, variationTonic);
  let found = 0;
  for (const event of ours) if (theirs.has(event)) found += 1;
  const shared = ours.size === 0 ? (theirs.size === 0 ? 1 : 0) : found / ours.size;
  return { pitchClass, rhythm, shared, overall: (pitchClass + rhythm + shared) / 3 };
}

/** Shared pitch-class and rhythm content of two pieces (e.g. a parent and its variation). */
export function similarity(parent: Piece, variation: Piece): Similarity {
  return scoreSimilarity(decodeScore(parent.tokens), parent.header.key?.tonic ?? 0, decodeScore(variation.tokens), variation.header.key?.tonic ?? 0);
}

export interface ChangeCheck {
  aspect: 'tempo' | 'key' | 'meter' | 'instrument' | 'drums' | 'length';
  expected: string;
  actual: string;
  holds: boolean;
}

function notesPerInstrument(score: Score): Map<number, number> {
  const counts = new Map<number, number>();
  for (const track of score.tracks) counts.set(instrumentOf(track), (counts.get(instrumentOf(track)) ?? 0) + track.notes.length);
  return counts;
}

/**
 * Each change the instruction asked for, with what the variation shows: the header's tempo, key, meter and length,
 * and for instruments whether an added one plays and a dropped one is silent.
 */
export function checkChange(change: VariationChange, parent: Piece, variation: Piece): ChangeCheck[] {
  const target = applyChange(parent.header, change);
  const actual = variation.header;
  const played = notesPerInstrument(decodeScore(variation.tokens));
  const checks: ChangeCheck[] = [];
  if (change.tempo || change.energy) {
    const direction = target.bpm === parent.header.bpm ? 0 : Math.sign(target.bpm - parent.header.bpm);
    checks.push({
      aspect: 'tempo',
      expected: `${target.bpm} BPM (from ${parent.header.bpm})`,
      actual: `${actual.bpm} BPM`,
      holds: actual.bpm === target.bpm && Math.sign(actual.bpm - parent.header.bpm) === direction,
    });
  }
  if (change.key || change.mode || change.transpose) {
    const expected = target.key ? keyName(target.key) : 'no key';
    checks.push({
      aspect: 'key',
      expected,
      actual: actual.key ? keyName(actual.key) : 'no key',
      holds: target.key && actual.key ? sameKey(target.key, actual.key) : target.key === actual.key,
    });
  }
  if (change.timeSignature) {
    checks.push({
      aspect: 'meter',
      expected: change.timeSignature.join('/'),
      actual: actual.timeSignature.join('/'),
      holds: actual.timeSignature[0] === change.timeSignature[0] && actual.timeSignature[1] === change.timeSignature[1],
    });
  }
  for (const id of change.only ?? change.add) {
    const notes = played.get(id) ?? 0;
    checks.push({ aspect: 'instrument', expected: `${instrumentName(id)} plays`, actual: `${notes} notes`, holds: actual.instruments.includes(id) && notes > 0 });
  }
  const dropped = change.only ? parent.header.instruments.filter((id) => id !== DRUMS && !change.only!.includes(id)) : change.drop;
  for (const id of dropped) {
    const notes = played.get(id) ?? 0;
    checks.push({ aspect: 'instrument', expected: `no ${instrumentName(id)}`, actual: `${notes} notes`, holds: !actual.instruments.includes(id) && notes === 0 });
  }
  if (change.drums !== undefined) {
    const notes = played.get(DRUMS) ?? 0;
    checks.push({
      aspect: 'drums',
      expected: change.drums ? 'drums play' : 'no drums',
      actual: `${notes} drum notes`,
      holds: change.drums ? notes > 0 : notes === 0 && !actual.instruments.includes(DRUMS),
    });
  }
  if (change.length) {
    checks.push({ aspect: 'length', expected: `${target.bars} bars`, actual: `${actual.bars} bars`, holds: actual.bars === target.bars });
  }
  return checks;
}
