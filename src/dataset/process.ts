/**
 * One piece -> its training examples: parse, cut into windows, analyse, infer moods and styles, caption, tokenize.
 * Runs inside the worker threads; pure apart from its inputs, so the build is the same whatever the scheduling.
 */
import { createHash } from 'node:crypto';
import { analyzeScore, type Analysis } from '../analysis/analysis.ts';
import { writeCaptions } from '../text/captions.ts';
import { keyName, type Key } from '../music/keys.ts';
import { td11ToGeneralMidi } from '../music/drum-kits.ts';
import { readMidi, MidiReadError } from '../music/midi.ts';
import { inferMoods } from '../analysis/moods.ts';
import { MusicXmlReadError, readMxl } from '../music/musicxml.ts';
import { createRandom, seedFromString } from '../music/random.ts';
import { inferStyles } from '../analysis/styles.ts';
import { encodeScore } from '../tokens/tokenizer.ts';
import type { Score } from '../music/score.ts';
import type { Labels } from './example.ts';
import { DEFAULT_WINDOW_OPTIONS, cutWindows, type WindowOptions } from './windows.ts';

/** A piece as the workers receive it: either file bytes to parse or a score made by a generator. */
export interface PieceTask {
  source: string;
  songId: string;
  origin: string;
  assembled: boolean;
  labels: Labels;
  key?: Key;
  /** The Groove MIDI Dataset's Roland TD-11 drum keys, mapped onto General MIDI after reading. */
  drumKit?: 'td11';
  format: 'midi' | 'mxl' | 'score';
  bytes?: Uint8Array;
  score?: Score;
}

/** What the data card counts about an example. */
export interface ExampleSummary {
  bpm: number;
  key: string;
  meter: string;
  instruments: number[];
  bars: number;
  seconds: number;
  genre: string | undefined;
  styles: string[];
  moods: string[];
}

export interface ProcessedExample {
  source: string;
  songId: string;
  assembled: boolean;
  /** Hash of the window's notes (header left out), to drop repeated windows. */
  contentHash: string;
  tokens: number[];
  /** Three or more captions; '' (the empty caption, for classifier-free guidance) for about one example in ten. */
  captions: string[];
  summary: ExampleSummary;
}

export interface ProcessResult {
  examples: ProcessedExample[];
  /** Why the piece gave nothing, when it did not. */
  skipped?: string;
  /** Hash of the whole piece's notes, to drop duplicate songs. */
  pieceHash?: string;
}

export interface ProcessOptions {
  seed: number;
  captionsPerExample: number;
  emptyCaptionRate: number;
  windows: WindowOptions;
}

export const DEFAULT_PROCESS_OPTIONS: ProcessOptions = {
  seed: 1,
  captionsPerExample: 3,
  emptyCaptionRate: 0.1,
  windows: DEFAULT_WINDOW_OPTIONS,
};

function parse(task: PieceTask): { score: Score; key?: Key } {
  if (task.format === 'score') return { score: task.score!, key: task.key };
  if (task.format === 'mxl') {
    const piece = readMxl(task.bytes!);
    return { score: piece.score, key: task.key ?? piece.key ?? undefined };
  }
  const score = readMidi(task.bytes!);
  if (task.drumKit === 'td11') {
    score.tracks = score.tracks.map((track) => (track.isDrum ? { ...track, notes: td11ToGeneralMidi(track.notes) } : track));
  }
  return { score, key: task.key };
}

function notesHash(score: Score): string {
  const hash = createHash('sha1');
  for (const track of score.tracks) {
    hash.update(`${track.isDrum ? 'd' : track.program}|`);
    for (const note of track.notes) hash.update(`${note.onset},${note.pitch},${note.duration};`);
  }
  return hash.digest('hex');
}

function unique(words: Array<string | undefined>): string[] {
  return [...new Set(words.filter((word): word is string => Boolean(word)))];
}

function summarize(analysis: Analysis, key: Key | null, labels: Labels, styles: string[], moods: string[], bars: number): ExampleSummary {
  return {
    bpm: analysis.bpm,
    key: key ? keyName(key) : 'none',
    meter: `${analysis.timeSignature[0]}/${analysis.timeSignature[1]}`,
    instruments: analysis.instruments.map((instrument) => instrument.id),
    bars,
    seconds: analysis.seconds,
    genre: labels.genre,
    styles,
    moods,
  };
}

export function processPiece(task: PieceTask, options: ProcessOptions = DEFAULT_PROCESS_OPTIONS): ProcessResult {
  let parsed: { score: Score; key?: Key };
  try {
    parsed = parse(task);
  } catch (error) {
    if (error instanceof MidiReadError) return { examples: [], skipped: error.reason };
    if (error instanceof MusicXmlReadError) return { examples: [], skipped: 'musicxml-unreadable' };
    throw error;
  }
  const random = createRandom(seedFromString(`${options.seed}:${task.songId}`));
  const windows = cutWindows(parsed.score, (score, bars) => encodeScore(score, { bars, key: parsed.key }), random, options.windows);
  if (windows.length === 0) return { examples: [], skipped: 'too-short-or-too-dense', pieceHash: notesHash(parsed.score) };

  const examples = windows.map((window): ProcessedExample => {
    const analysis = analyzeScore(window.score);
    // A labelled key (POP909, MusicXML headers) is what the header states; otherwise the detected one, as encoded.
    const key = parsed.key ?? analysis.key;
    const labelled = task.labels;
    // inferMoods uses human valence/arousal where the source has them (VGMIDI) and infers them otherwise.
    const moods = unique([...labelled.moods, ...inferMoods(analysis, labelled)]);
    const styles = unique([...labelled.styles, ...inferStyles(analysis, { ...labelled, source: task.source })]);
    const captionSeed = seedFromString(`${options.seed}:${task.songId}:${window.fromBar}`);
    const captions = writeCaptions(
      { labels: { ...labelled, styles, moods, source: task.source }, analysis: { ...analysis, key } },
      { seed: captionSeed, count: options.captionsPerExample },
    );
    if (random.chance(options.emptyCaptionRate)) captions.push('');
    return {
      source: task.source,
      songId: task.songId,
      assembled: task.assembled,
      contentHash: notesHash(window.score),
      tokens: window.tokens,
      captions,
      summary: summarize(analysis, key, labelled, styles, moods, window.bars),
    };
  });
  return { examples, pieceHash: notesHash(parsed.score) };
}
