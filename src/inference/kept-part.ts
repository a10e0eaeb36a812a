/**
 * Restyling keeps one part of a piece note for note while the model writes everything around it. The kept part is
 * tokenized on its own (the same encoder as any score, so its notes are on the grid exactly as a take's would be) and
 * cut into groups, one per onset: `INST k PITCH [VEL] DUR ...` at a bar and position. `KeptPartProcessor` then holds
 * the decoder to them:
 *   - in the header, the part's meter (its positions are counted in it) and its instrument;
 *   - in the body, no BAR, EOS or later POS before the next group is written, so the model cannot skip it;
 *   - at the group's position, no instrument above the kept one before it (instruments rise within a position), and
 *     once the model writes the kept instrument there, the group's tokens one by one;
 *   - the kept instrument nowhere else, and no note of it beyond the group's, so the part stays as it was;
 *   - the part's meter changes at their bars, and no others.
 * The model chooses everything else: which other instruments play, where, and what.
 */
import type { Score } from '../music/score.ts';
import { encodeScore, headerLength } from '../tokens/tokenizer.ts';
import { BAR, EOS, RANGES, tokenId, tokenType } from '../tokens/vocab.ts';
import type { DecodingState, LogitsProcessor } from './logits-processor.ts';

/** The notes of the kept part that start at one bar and position, as the tokens that write them. */
export interface KeptGroup {
  /** 1-based, as the grammar counts BARs. */
  bar: number;
  position: number;
  /** INST k, then PITCH [VEL] DUR per note, in ascending pitch. */
  tokens: number[];
}

export interface KeptPart {
  /** GM program of the kept part. */
  instrument: number;
  /** The time signature token of the first bar. */
  meter: number;
  /** Time signature tokens of the bars where the meter changes (1-based bar -> token). */
  meterChanges: Map<number, number>;
  /** Bars of the piece, the kept part's silence at the end included. */
  bars: number;
  groups: KeptGroup[];
  notes: number;
}

/**
 * The part played by `score.tracks[trackIndex]` (transposed by `semitones`), in the piece's meters and as many bars as
 * the piece has. Throws when the track has no notes.
 */
export function keptPartOf(score: Score, trackIndex: number, semitones = 0, bars?: number): KeptPart {
  const track = score.tracks[trackIndex];
  const shift = fitTransposition(track.notes.map((note) => note.pitch), semitones);
  const alone: Score = {
    ...score,
    tracks: [{ ...track, isDrum: false, notes: track.notes.map((note) => ({ ...note, pitch: note.pitch + shift })) }],
  };
  const ids = encodeScore(alone, { bars, key: null });
  const part: KeptPart = { instrument: track.program, meter: ids[1], meterChanges: new Map(), bars: 0, groups: [], notes: 0 };
  let position = -1;
  let group: KeptGroup | undefined;
  for (const id of ids.slice(headerLength(ids))) {
    const type = tokenType(id);
    if (type === 'BAR') part.bars += 1;
    else if (type === 'timeSignature') part.meterChanges.set(part.bars, id);
    else if (type === 'position') position = id - RANGES.position.start;
    else if (type === 'instrument') part.groups.push(group = { bar: part.bars, position, tokens: [id] });
    else if (type === 'pitch' || type === 'velocity' || type === 'duration') {
      group!.tokens.push(id);
      if (type === 'pitch') part.notes += 1;
    }
  }
  return part;
}

/** `semitones`, moved by octaves where needed so that every pitch stays in MIDI's range. */
function fitTransposition(pitches: readonly number[], semitones: number): number {
  const low = Math.min(...pitches);
  const high = Math.max(...pitches);
  let shift = semitones;
  while (high + shift > 127 && low + shift - 12 >= 0) shift -= 12;
  while (low + shift < 0 && high + shift + 12 <= 127) shift += 12;
  return shift;
}

function onlyToken(mask: Uint8Array, id: number): void {
  const allowed = mask[id];
  mask.fill(0);
  mask[id] = allowed;
}

function clearRange(mask: Uint8Array, range: { start: number; size: number }, from = 0): void {
  mask.fill(0, range.start + from, range.start + range.size);
}

export class KeptPartProcessor implements LogitsProcessor {
  private readonly instrumentToken: number;
  /** Tokens of the sequence read so far (from the header's end). */
  private read = 0;
  private bar = 0;
  private position = -1;
  private instrument = -1;
  private lastToken = -1;
  /** The next group to write. */
  private next = 0;
  /** Index in the next group's tokens of the token to force; -1 while it is not being written. */
  private forcing = -1;

  constructor(private readonly part: KeptPart) {
    this.instrumentToken = tokenId('instrument', part.instrument);
  }

  /** Groups written in full so far. */
  get written(): number {
    return this.next;
  }

  restrict(allowed: Uint8Array, state: DecodingState): void {
    if (state.headerEnd === 0) return this.restrictHeader(allowed, state.tokens);
    this.follow(state.tokens, state.headerEnd);
    const group = this.part.groups[this.next];
    if (this.forcing >= 0) return onlyToken(allowed, group.tokens[this.forcing]);
    if (this.lastToken === BAR && this.part.meterChanges.has(this.bar)) return onlyToken(allowed, this.part.meterChanges.get(this.bar)!);
    clearRange(allowed, RANGES.timeSignature);
    // The kept instrument's notes are the group's alone.
    if (this.instrument === this.part.instrument) clearRange(allowed, RANGES.pitch);
    if (!group || group.bar > this.bar) {
      allowed[this.instrumentToken] = 0;
      if (group) allowed[EOS] = 0;
      return;
    }
    // The group is in this bar: stay in it, and at no position past the group's.
    allowed[BAR] = 0;
    allowed[EOS] = 0;
    clearRange(allowed, RANGES.position, group.position + 1);
    if (this.position === group.position) clearRange(allowed, RANGES.instrument, this.part.instrument + 1);
    else allowed[this.instrumentToken] = 0;
  }

  /** The part's meter first, and its instrument among the header's (they rise, so nothing above it before it). */
  private restrictHeader(allowed: Uint8Array, tokens: readonly number[]): void {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return;
    const type = tokenType(last);
    if (type === 'BOS') return onlyToken(allowed, this.part.meter);
    if ((type === 'key' || type === 'instrument') && last < this.instrumentToken) {
      clearRange(allowed, RANGES.instrument, this.part.instrument + 1);
      clearRange(allowed, RANGES.bars);
      // A header already as full as the request allows still takes the kept part (the grammar always does here).
      if (!allowed.subarray(RANGES.instrument.start, this.instrumentToken + 1).includes(1)) {
        allowed.fill(0);
        allowed[this.instrumentToken] = 1;
      }
    }
  }

  private follow(tokens: readonly number[], headerEnd: number): void {
    if (this.read === 0) this.read = headerEnd;
    for (; this.read < tokens.length; this.read++) {
      const id = tokens[this.read];
      this.lastToken = id;
      if (this.forcing >= 0) {
        this.forcing += 1;
        if (this.forcing === this.part.groups[this.next].tokens.length) {
          this.next += 1;
          this.forcing = -1;
        }
        continue;
      }
      const type = tokenType(id);
      if (type === 'BAR') {
        this.bar += 1;
        this.position = -1;
        this.instrument = -1;
      } else if (type === 'position') {
        this.position = id - RANGES.position.start;
        this.instrument = -1;
      } else if (type === 'instrument') {
        this.instrument = id - RANGES.instrument.start;
        // restrict only lets the kept instrument in at its group's position.
        if (id === this.instrumentToken) this.forcing = 1;
      }
    }
  }
}
