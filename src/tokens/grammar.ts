/**
 * The token grammar as a small state machine. Inference masks logits with `allowed` at every step, so it works in
 * place on a caller's buffer and allocates nothing per step.
 *
 *   header: BOS TS TEMPO_TENS TEMPO_ONES KEY INST+ BARS            (instruments strictly ascending)
 *   body:   ( BAR [TS] ( POS [TEMPO_TENS TEMPO_ONES] ( INST ( PITCH|DRUM [VEL] DUR )+ )* )* )+ EOS
 *
 * VEL is written only when an instrument's velocity changes: a note without one plays at its instrument's last
 * velocity, so an instrument's first note in a sequence always has one. (About 70% of notes in the multi-track
 * collections repeat the previous velocity of their instrument; this saves about a fifth of the body.)
 * Positions rise within a bar and fit its meter; instruments rise within a position and come from the header;
 * pitches rise within an instrument; the number of bars equals the header's (BARS_64 means "64 or more").
 */
import { POSITION_SLOTS, TIME_SIGNATURES } from '../music/grid.ts';
import { DRUMS, TICKS_PER_QUARTER } from '../music/score.ts';
import { BAR, BOS, EOS, MAX_BARS, RANGES, VOCAB_SIZE, tokenType, type TokenRange } from './vocab.ts';

const enum Phase {
  Start, HeaderMeter, HeaderTempoTens, HeaderTempoOnes, HeaderKey, HeaderFirstInstrument, HeaderInstruments,
  ExpectBar, BarStart, AfterPosition, TempoOnes, AfterTempo, AfterInstrument, AfterPitch, AfterVelocity,
  AfterDuration, Done,
}

/** Number of position tokens that fit in a bar of each time signature token. */
const POSITIONS_IN_METER = TIME_SIGNATURES.map(([n, d]) => {
  const ticks = (n * TICKS_PER_QUARTER * 4) / d;
  const quarters = Math.floor(ticks / TICKS_PER_QUARTER);
  const rest = ticks - quarters * TICKS_PER_QUARTER;
  return quarters * POSITION_SLOTS.length + POSITION_SLOTS.filter((slot) => slot < rest).length;
});

/** Shared by `accepts`: JavaScript runs one step at a time, so one buffer serves every state. */
const SCRATCH = new Uint8Array(VOCAB_SIZE);

export class GrammarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrammarError';
  }
}

export class GrammarState {
  private phase = Phase.Start;
  private readonly headerInstruments = new Uint8Array(DRUMS + 1);
  private readonly hasVelocity = new Uint8Array(DRUMS + 1);
  private lastHeaderInstrument = -1;
  private totalBars = 0;
  private barsDone = 0;
  private positionsInBar = 0;
  private meterSetInBar = false;
  private lastPosition = -1;
  private currentInstrument = -1;
  private lastPitch = -1;

  /** True once EOS has been accepted. */
  get done(): boolean {
    return this.phase === Phase.Done;
  }

  get barsWritten(): number {
    return this.barsDone;
  }

  /** True inside the header's last bar when the count is fixed: only EOS may follow it. */
  get inFinalBar(): boolean {
    return this.totalBars > 0 && !this.barsOpenEnded && this.barsDone >= this.totalBars;
  }

  /** Positions after the current one that the bar still has room for (all of them at a bar's start). */
  get positionsLeft(): number {
    return Math.max(0, this.positionsInBar - this.lastPosition - 1);
  }

  /** The instrument whose notes are being written at the current position; -1 before the first one. */
  get instrument(): number {
    return this.currentInstrument;
  }

  /** Writes 1 for every token id allowed next and 0 for the rest into `mask` (length VOCAB_SIZE). */
  allowed(mask: Uint8Array): Uint8Array {
    mask.fill(0);
    const allow = (range: TokenRange, from = 0, to = range.size) => mask.fill(1, range.start + from, range.start + to);
    switch (this.phase) {
      case Phase.Start: mask[BOS] = 1; break;
      case Phase.HeaderMeter: allow(RANGES.timeSignature); break;
      case Phase.HeaderTempoTens: allow(RANGES.tempoTens); break;
      case Phase.HeaderTempoOnes: allow(RANGES.tempoOnes); break;
      case Phase.HeaderKey: allow(RANGES.key); break;
      case Phase.HeaderFirstInstrument: allow(RANGES.instrument); break;
      case Phase.HeaderInstruments:
        allow(RANGES.instrument, this.lastHeaderInstrument + 1);
        allow(RANGES.bars);
        break;
      case Phase.ExpectBar: mask[BAR] = 1; break;
      case Phase.BarStart:
        if (!this.meterSetInBar) allow(RANGES.timeSignature);
        allow(RANGES.position, 0, this.positionsInBar);
        this.allowBarOrEnd(mask);
        break;
      case Phase.AfterPosition:
        allow(RANGES.tempoTens);
        this.allowHeaderInstruments(mask, 0);
        break;
      case Phase.TempoOnes: allow(RANGES.tempoOnes); break;
      case Phase.AfterTempo:
        this.allowHeaderInstruments(mask, 0);
        allow(RANGES.position, this.lastPosition + 1, this.positionsInBar);
        this.allowBarOrEnd(mask);
        break;
      case Phase.AfterInstrument:
        allow(this.currentInstrument === DRUMS ? RANGES.drum : RANGES.pitch);
        break;
      case Phase.AfterPitch:
        allow(RANGES.velocity);
        if (this.hasVelocity[this.currentInstrument]) allow(RANGES.duration);
        break;
      case Phase.AfterVelocity: allow(RANGES.duration); break;
      case Phase.AfterDuration:
        allow(this.currentInstrument === DRUMS ? RANGES.drum : RANGES.pitch, this.lastPitch + 1);
        this.allowHeaderInstruments(mask, this.currentInstrument + 1);
        allow(RANGES.position, this.lastPosition + 1, this.positionsInBar);
        this.allowBarOrEnd(mask);
        break;
      case Phase.Done: break;
    }
    return mask;
  }

  private allowHeaderInstruments(mask: Uint8Array, from: number): void {
    for (let id = from; id <= DRUMS; id++) if (this.headerInstruments[id]) mask[RANGES.instrument.start + id] = 1;
  }

  private get barsOpenEnded(): boolean {
    return this.totalBars === MAX_BARS;
  }

  private allowBarOrEnd(mask: Uint8Array): void {
    if (this.barsDone < this.totalBars || this.barsOpenEnded) mask[BAR] = 1;
    if (this.barsDone >= this.totalBars) mask[EOS] = 1;
  }

  /** True when `id` may come next. */
  accepts(id: number): boolean {
    return id >= 0 && id < VOCAB_SIZE && this.allowed(SCRATCH)[id] === 1;
  }

  /** Advances past `id`; throws a GrammarError naming the token when it is not allowed here. */
  step(id: number): void {
    if (!this.accepts(id)) {
      throw new GrammarError(`token ${id} (${id >= 0 && id < VOCAB_SIZE ? tokenType(id) : 'out of vocabulary'}) is not allowed here`);
    }
    const value = (range: TokenRange) => id - range.start;
    const type = tokenType(id);
    switch (type) {
      case 'BOS': this.phase = Phase.HeaderMeter; break;
      case 'timeSignature':
        this.positionsInBar = POSITIONS_IN_METER[value(RANGES.timeSignature)];
        if (this.phase === Phase.HeaderMeter) this.phase = Phase.HeaderTempoTens;
        else this.meterSetInBar = true;
        break;
      case 'tempoTens': this.phase = this.phase === Phase.HeaderTempoTens ? Phase.HeaderTempoOnes : Phase.TempoOnes; break;
      case 'tempoOnes': this.phase = this.phase === Phase.HeaderTempoOnes ? Phase.HeaderKey : Phase.AfterTempo; break;
      case 'key': this.phase = Phase.HeaderFirstInstrument; break;
      case 'instrument':
        if (this.phase === Phase.HeaderFirstInstrument || this.phase === Phase.HeaderInstruments) {
          this.lastHeaderInstrument = value(RANGES.instrument);
          this.headerInstruments[this.lastHeaderInstrument] = 1;
          this.phase = Phase.HeaderInstruments;
        } else {
          this.currentInstrument = value(RANGES.instrument);
          this.lastPitch = -1;
          this.phase = Phase.AfterInstrument;
        }
        break;
      case 'bars': this.totalBars = value(RANGES.bars) + 1; this.phase = Phase.ExpectBar; break;
      case 'BAR':
        this.barsDone += 1;
        this.meterSetInBar = false;
        this.lastPosition = -1;
        this.phase = Phase.BarStart;
        break;
      case 'position':
        this.lastPosition = value(RANGES.position);
        this.currentInstrument = -1;
        this.phase = Phase.AfterPosition;
        break;
      case 'pitch': this.lastPitch = value(RANGES.pitch); this.phase = Phase.AfterPitch; break;
      case 'drum': this.lastPitch = value(RANGES.drum); this.phase = Phase.AfterPitch; break;
      case 'velocity': this.hasVelocity[this.currentInstrument] = 1; this.phase = Phase.AfterVelocity; break;
      case 'duration': this.phase = Phase.AfterDuration; break;
      case 'EOS': this.phase = Phase.Done; break;
      default: throw new GrammarError(`token ${id} (${type}) never appears in a sequence`);
    }
  }
}

/** True when `ids` is one complete sequence the grammar accepts, from BOS to EOS. */
export function isValid(ids: ArrayLike<number>): boolean {
  return validationError(ids) === undefined;
}

/** Why `ids` is not a complete valid sequence, or undefined when it is. */
export function validationError(ids: ArrayLike<number>): string | undefined {
  const state = new GrammarState();
  for (let i = 0; i < ids.length; i++) {
    if (state.done) return `tokens continue after EOS at index ${i}`;
    try {
      state.step(ids[i]);
    } catch (error) {
      return `index ${i}: ${(error as Error).message}`;
    }
  }
  return state.done ? undefined : 'the sequence ends before EOS';
}
