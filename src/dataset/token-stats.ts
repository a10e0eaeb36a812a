/**
 * Token cost of the music in each collection: average tokens per bar and per 30 seconds, over the first readable
 * MIDI files of every archive. docs/tokens.md reports it; the context length and decode speed targets follow from it.
 */
import path from 'node:path';
import { readMidi, MidiReadError } from '../music/midi.ts';
import { barsOf, scoreEndTick, tickToSeconds } from '../music/score.ts';
import { encodeScore } from '../tokens/tokenizer.ts';
import { isMidiName, readArchive } from './archive.ts';

export const MIDI_ARCHIVES = [
  'multitrack/freemidi.tar.gz',
  'multitrack/vgmusic.tar.gz',
  'multitrack/riddim.tar.gz',
  'multitrack/freedoom.tar.gz',
  'parts/pop909.tar.gz',
  'parts/groove.tar.gz',
  'parts/nottingham.tar.gz',
  'parts/vgmidi.tar.gz',
];

export interface SourceTokenStats {
  source: string;
  files: number;
  unreadable: number;
  tokensPerBar: number;
  tokensPer30s: number;
  medianTokensPerFile: number;
}

export async function measureTokenStats(dataDir: string, filesPerSource: number): Promise<SourceTokenStats[]> {
  const results: SourceTokenStats[] = [];
  for (const archive of MIDI_ARCHIVES) {
    let tokens = 0;
    let bars = 0;
    let seconds = 0;
    let unreadable = 0;
    const perFile: number[] = [];
    for await (const member of readArchive(path.join(dataDir, archive), isMidiName)) {
      let score;
      try {
        score = readMidi(member.bytes);
      } catch (error) {
        if (!(error instanceof MidiReadError)) throw error;
        unreadable += 1;
        continue;
      }
      const ids = encodeScore(score);
      const scoreBars = barsOf(score, scoreEndTick(score));
      const last = scoreBars[scoreBars.length - 1];
      tokens += ids.length;
      bars += scoreBars.length;
      seconds += tickToSeconds(score, last.start + last.ticks);
      perFile.push(ids.length);
      if (perFile.length >= filesPerSource) break;
    }
    perFile.sort((a, b) => a - b);
    results.push({
      source: archive.replace(/\.tar\.gz$/, ''),
      files: perFile.length,
      unreadable,
      tokensPerBar: tokens / bars,
      tokensPer30s: (tokens / seconds) * 30,
      medianTokensPerFile: perFile[Math.floor(perFile.length / 2)] ?? 0,
    });
  }
  return results;
}
