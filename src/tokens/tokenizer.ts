/**
 * REMI+ with a control header: Score <-> token ids (see docs/tokens.md and src/tokens/grammar.ts).
 *
 * The header states what can be measured from the music (meter, tempo, key, instruments, length in bars) so that a
 * prompt's attributes can be forced into it at inference; the body then writes the notes bar by bar.
 */
import { detectKey } from '../analysis/key-detection.ts';
import { DURATION_BINS, clampBpm, durationIndex, normalizeTimeSignature, positionIndex, positionOffset, timeSignatureIndex, TIME_SIGNATURES } from '../music/grid.ts';
import { GrammarState } from './grammar.ts';
import { instrumentName } from '../music/instruments.ts';
import { keyFromIndex, keyIndex, type Key } from '../music/keys.ts';
import { DRUMS, barTicks, barsOf, instrumentOf, scoreEndTick, tempoAt, type Score, type Track } from '../music/score.ts';
import {
  BAR, BOS, EOS, KEY_NONE, MAX_BARS, RANGES, TEMPO_TENS_MIN, tokenId, tokenType, tokenValue, velocityBin, velocityOfBin,
} from './vocab.ts';

export interface ScoreHeader {
  timeSignature: [number, number];
  bpm: number;
  key: Key | null;
  /** Instrument ids, ascending (GM programs, DRUMS = 128 last). */
  instruments: number[];
  /** Length in bars; MAX_BARS means that many or more. */
  bars: number;
}

export class TokenizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizeError';
  }
}

export interface EncodeOptions {
  /** The key to state in the header; detected from the notes when left out. */
  key?: Key | null;
  /** Length in bars; by default the bars up to the end of the last note. */
  bars?: number;
}

export function tempoTokens(bpm: number): [number, number] {
  const whole = clampBpm(bpm);
  return [tokenId('tempoTens', Math.floor(whole / 10) - TEMPO_TENS_MIN), tokenId('tempoOnes', whole % 10)];
}

function meterToken(numerator: number, denominator: number): number {
  const [n, d] = normalizeTimeSignature(numerator, denominator);
  return tokenId('timeSignature', timeSignatureIndex(n, d));
}

/** The header tokens for a header: BOS TS TEMPO KEY INST+ BARS. */
export function encodeHeader(header: ScoreHeader): number[] {
  const instruments = [...new Set(header.instruments)].sort((a, b) => a - b);
  if (instruments.length === 0) throw new TokenizeError('a header needs at least one instrument');
  return [
    BOS,
    meterToken(header.timeSignature[0], header.timeSignature[1]),
    ...tempoTokens(header.bpm),
    header.key ? tokenId('key', keyIndex(header.key)) : KEY_NONE,
    ...instruments.map((id) => tokenId('instrument', id)),
    tokenId('bars', Math.min(MAX_BARS, Math.max(1, header.bars)) - 1),
  ];
}

interface PlacedNote {
  onset: number;
  instrument: number;
  pitch: number;
  velocity: number;
  duration: number;
}

/** Encodes a quantized score (as readMidi returns it) into token ids, BOS to EOS. */
export function encodeScore(score: Score, options: EncodeOptions = {}): number[] {
  const tracks = score.tracks.filter((track) => track.notes.length > 0);
  if (tracks.length === 0) throw new TokenizeError('the score has no notes');
  const bars = options.bars !== undefined
    ? barsOf(score, 0, options.bars)
    : barsOf(score, scoreEndTick(score));
  const end = bars[bars.length - 1].start + bars[bars.length - 1].ticks;
  const key = options.key !== undefined ? options.key : detectKey(score).key;

  const notes: PlacedNote[] = [];
  for (const track of tracks) {
    const instrument = instrumentOf(track);
    for (const note of track.notes) {
      // Only the fields used: one object shape keeps the sort and the loop below fast.
      if (note.onset < end) notes.push({ onset: note.onset, instrument, pitch: note.pitch, velocity: note.velocity, duration: note.duration });
    }
  }
  notes.sort((a, b) => a.onset - b.onset || a.instrument - b.instrument || a.pitch - b.pitch);
  const tempoChanges = score.tempos.filter((tempo) => tempo.tick > 0 && tempo.tick < end);

  const ids = encodeHeader({
    timeSignature: [bars[0].numerator, bars[0].denominator],
    bpm: tempoAt(score, 0),
    key,
    instruments: tracks.map(instrumentOf),
    bars: bars.length,
  });
  let noteIndex = 0;
  let tempoIndex = 0;
  const lastVelocityBin = new Int8Array(DRUMS + 1).fill(-1);
  for (const bar of bars) {
    ids.push(BAR);
    const previous = bars[bar.index - 1];
    if (previous && (previous.numerator !== bar.numerator || previous.denominator !== bar.denominator)) {
      ids.push(meterToken(bar.numerator, bar.denominator));
    }
    const barEnd = bar.start + bar.ticks;
    while (
      (noteIndex < notes.length && notes[noteIndex].onset < barEnd)
      || (tempoIndex < tempoChanges.length && tempoChanges[tempoIndex].tick < barEnd)
    ) {
      const tick = Math.min(notes[noteIndex]?.onset ?? Infinity, tempoChanges[tempoIndex]?.tick ?? Infinity);
      const position = positionIndex(tick - bar.start);
      if (position < 0) throw new TokenizeError(`tick ${tick} is off the grid (bar ${bar.index + 1})`);
      ids.push(tokenId('position', position));
      if (tempoChanges[tempoIndex]?.tick === tick) ids.push(...tempoTokens(tempoChanges[tempoIndex++].bpm));
      let instrument = -1;
      for (; noteIndex < notes.length && notes[noteIndex].onset === tick; noteIndex++) {
        const note = notes[noteIndex];
        if (note.instrument !== instrument) {
          instrument = note.instrument;
          ids.push(tokenId('instrument', instrument));
        }
        ids.push(tokenId(instrument === DRUMS ? 'drum' : 'pitch', note.pitch));
        const bin = velocityBin(note.velocity);
        if (bin !== lastVelocityBin[instrument]) {
          ids.push(tokenId('velocity', bin));
          lastVelocityBin[instrument] = bin;
        }
        ids.push(tokenId('duration', durationIndex(note.duration)));
      }
    }
  }
  ids.push(EOS);
  return ids;
}

/** A header as far as it is written: each slot stays undefined until its token is read. */
export interface HeaderSoFar {
  timeSignature?: [number, number];
  bpm?: number;
  /** null for KEY_NONE (no pitched instruments). */
  key?: Key | null;
  instruments: number[];
  bars?: number;
  /** Tokens read, BOS included: once the header is whole, the index just past its BARS token. */
  length: number;
}

/**
 * Reads the header at the start of `ids` (BOS first) up to its BARS token, or as far as `ids` goes when they stop
 * inside it (a generation still writing its header). The one reader of header tokens: decoding, the inference's
 * header constraints and its sliding window all go through it.
 */
export function readHeader(ids: ArrayLike<number>): HeaderSoFar {
  if (ids[0] !== BOS) throw new TokenizeError('a sequence starts with BOS');
  const header: HeaderSoFar = { instruments: [], length: 1 };
  let tens = 0;
  for (; header.length < ids.length && header.bars === undefined; header.length++) {
    const id = ids[header.length];
    const value = tokenValue(id);
    switch (tokenType(id)) {
      case 'timeSignature': header.timeSignature = [...TIME_SIGNATURES[value]] as [number, number]; break;
      case 'tempoTens': tens = value + TEMPO_TENS_MIN; break;
      case 'tempoOnes': header.bpm = tens * 10 + value; break;
      case 'key': header.key = id === KEY_NONE ? null : keyFromIndex(value); break;
      case 'instrument': header.instruments.push(value); break;
      case 'bars': header.bars = value + 1; break;
      default: throw new TokenizeError(`token ${id} does not belong in a header`);
    }
  }
  return header;
}

/** Reads the header of a token sequence (it must start with a complete header). */
export function decodeHeader(ids: ArrayLike<number>): ScoreHeader {
  const { timeSignature = [4, 4], bpm = 0, key = null, instruments, bars } = readHeader(ids);
  if (bars === undefined) throw new TokenizeError('the header is incomplete');
  return { timeSignature, bpm, key, instruments, bars };
}

/** Index just past the header's BARS token: where the body starts. */
export function headerLength(ids: ArrayLike<number>): number {
  const header = readHeader(ids);
  if (header.bars === undefined) throw new TokenizeError('the sequence has no complete header');
  return header.length;
}

/**
 * Decodes token ids into a score. The grammar checks every token, so a sequence that is not valid raises a
 * GrammarError naming the first bad token; a sequence cut short before EOS decodes up to where it stops.
 */
export function decodeScore(ids: ArrayLike<number>): Score {
  const grammar = new GrammarState();
  const header = decodeHeader(ids);
  const score: Score = {
    tempos: [{ tick: 0, bpm: header.bpm }],
    timeSignatures: [{ tick: 0, numerator: header.timeSignature[0], denominator: header.timeSignature[1] }],
    tracks: [],
  };
  const tracks = new Map<number, Track>();
  const trackFor = (instrument: number) => {
    let track = tracks.get(instrument);
    if (!track) {
      track = { program: instrument === DRUMS ? 0 : instrument, isDrum: instrument === DRUMS, name: instrumentName(instrument), notes: [] };
      tracks.set(instrument, track);
    }
    return track;
  };
  let barStart = 0;
  let barLength = 0;
  let meter = header.timeSignature;
  let tick = 0;
  let tens = 0;
  let instrument = -1;
  let pitch = 0;
  const velocityOf = new Uint8Array(DRUMS + 1);
  let bodyStarted = false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    grammar.step(id);
    const value = tokenValue(id);
    const type = tokenType(id);
    if (type === 'bars') {
      bodyStarted = true;
      continue;
    }
    if (!bodyStarted) continue;
    switch (type) {
      case 'BAR':
        barStart += barLength;
        barLength = barTicks(meter[0], meter[1]);
        tick = barStart;
        break;
      case 'timeSignature':
        meter = [...TIME_SIGNATURES[value]] as [number, number];
        barLength = barTicks(meter[0], meter[1]);
        score.timeSignatures.push({ tick: barStart, numerator: meter[0], denominator: meter[1] });
        break;
      case 'position': tick = barStart + positionOffset(value); break;
      case 'tempoTens': tens = value + TEMPO_TENS_MIN; break;
      case 'tempoOnes': score.tempos.push({ tick, bpm: tens * 10 + value }); break;
      case 'instrument': instrument = value; break;
      case 'pitch': case 'drum': pitch = value; break;
      case 'velocity': velocityOf[instrument] = velocityOfBin(value); break;
      case 'duration':
        trackFor(instrument).notes.push({ onset: tick, duration: DURATION_BINS[value], pitch, velocity: velocityOf[instrument] });
        break;
      case 'EOS': break;
      default: throw new TokenizeError(`unexpected ${type} token in the body`);
    }
  }
  score.tracks = [...tracks.values()].sort((a, b) => instrumentOf(a) - instrumentOf(b));
  return score;
}
