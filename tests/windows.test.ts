import { describe, expect, it } from 'vitest';
import { barsThatFit, cutWindows, DEFAULT_WINDOW_OPTIONS } from '../src/dataset/windows.ts';
import { readMidi } from '../src/music/midi.ts';
import { createRandom } from '../src/music/random.ts';
import { barsOf, barSlicer, scoreEndTick, type Score } from '../src/music/score.ts';
import { encodeScore } from '../src/tokens/tokenizer.ts';
import { BAR, BOS, EOS } from '../src/tokens/vocab.ts';
import { fixtureMidi } from './helpers/data.ts';

/** The plain definition of a slice: every note starting inside the bars, filtered from the whole score. */
function referenceSlice(score: Score, fromBar: number, count: number) {
  const bars = barsOf(score, 0, fromBar + count + 1);
  const start = bars[fromBar].start;
  const end = bars[fromBar + count].start;
  return score.tracks
    .map((track) => track.notes.filter((n) => n.onset >= start && n.onset < end).map((n) => ({ ...n, onset: n.onset - start })))
    .filter((notes) => notes.length > 0);
}

describe('training windows', () => {
  it('reads how many opening bars fit off one encoding', () => {
    // Header of 6, then bars of 4, 5 and 3 tokens, then EOS: 19 tokens in all.
    const header = [BOS, 9, 9, 9, 9, 9];
    const tokens = [...header, BAR, 9, 9, 9, BAR, 9, 9, 9, 9, BAR, 9, 9, EOS];
    expect(barsThatFit(tokens, 18)).toBe(2); // 6 + 4 + 5 + EOS = 16
    expect(barsThatFit(tokens, 15)).toBe(1); // 6 + 4 + EOS = 11
    expect(barsThatFit(tokens, 10)).toBe(0);
  });

  it('cuts real songs into windows of 4 to 16 bars that fit the context, each its own encoding', async () => {
    const files = await fixtureMidi('multitrack/freedoom.tar.gz', 24);
    let windows = 0;
    for (const file of files) {
      const score = readMidi(file.bytes);
      const slice = barSlicer(score);
      const bars = barsOf(score, scoreEndTick(score)).length;
      for (const from of [0, Math.floor(bars / 3), Math.max(0, bars - 5)]) {
        const count = Math.min(4, bars - from);
        if (count < 1) continue;
        expect(slice(from, count).tracks.map((track) => track.notes)).toEqual(referenceSlice(score, from, count));
      }
      for (const window of cutWindows(score, (cut, length) => encodeScore(cut, { bars: length, key: null }), createRandom(7))) {
        windows += 1;
        expect(window.tokens.length).toBeLessThanOrEqual(DEFAULT_WINDOW_OPTIONS.maxTokens);
        expect(window.bars).toBeGreaterThanOrEqual(4);
        expect(window.bars).toBeLessThanOrEqual(16);
        expect(window.tokens).toEqual(encodeScore(window.score, { bars: window.bars, key: null }));
        expect(window.tokens.filter((id) => id === BAR)).toHaveLength(window.bars);
      }
    }
    expect(windows).toBeGreaterThan(50);
  });
});
