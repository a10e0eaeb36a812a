/**
 * The music reward of automatic preferences (src/eval/music-reward.ts): closeness to the real songs of
 * docs/metrics-reference.json and the eval's prompt checks, on real songs and on pieces spoilt on purpose.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { closeness, expectationOf, musicReward } from '../src/eval/music-reward.ts';
import { loadReference } from '../src/eval/reference.ts';
import { readMidi } from '../src/music/midi.ts';
import { TICKS_PER_QUARTER, type Score } from '../src/music/score.ts';
import { decodeScore, encodeScore } from '../src/tokens/tokenizer.ts';
import { fixtureMidi } from './helpers/data.ts';

const reference = loadReference()!;

/** Real songs, eight bars each, as the tokenizer gives them back (what a take is). */
async function realSongs(count: number): Promise<Score[]> {
  const songs: Score[] = [];
  for (const member of await fixtureMidi('multitrack/freedoom.tar.gz', count * 3)) {
    try {
      songs.push(decodeScore(encodeScore(readMidi(member.bytes), { bars: 8 })));
    } catch {
      // a file the tokenizer refuses: take the next one
    }
    if (songs.length === count) break;
  }
  return songs;
}

/** The same length and instruments, but one pitch held a beat in every bar: what a stuck model writes. */
function stuck(song: Score): Score {
  const bar = 4 * TICKS_PER_QUARTER;
  return {
    ...song,
    tracks: song.tracks.filter((track) => !track.isDrum).slice(0, 1).map((track) => ({
      ...track, notes: Array.from({ length: 8 }, (_, i) => ({ onset: i * bar, duration: TICKS_PER_QUARTER, pitch: 60, velocity: 80 })),
    })),
  };
}

describe('the music reward', () => {
  let songs: Score[];
  beforeAll(async () => {
    songs = await realSongs(3);
  });

  it('is 1 at the real songs\' median and falls with the distance from it', () => {
    const real = reference.overall.metrics.polyphony;
    expect(closeness(real.p50, real)).toBe(1);
    expect(closeness(real.p90, real)!).toBeLessThan(1);
    expect(closeness(real.p90 + 5, real)!).toBeLessThan(closeness(real.p90, real)!);
    expect(closeness(Number.NaN, real)).toBeUndefined();
  });

  it('scores real songs above the same songs reduced to one stuck note', () => {
    expect(songs).toHaveLength(3);
    for (const song of songs) {
      const real = musicReward(song, { error: false }, reference);
      const spoilt = musicReward(stuck(song), { error: false }, reference);
      expect(real.adherence).toBeUndefined();
      expect(real.reward).toBe(real.musicality);
      expect(real.musicality).toBeGreaterThan(spoilt.musicality + 0.1);
    }
  });

  it('counts the prompt checks, measured from the notes: a piece without the named instrument loses', () => {
    const song = songs[0];
    const playing = song.tracks.find((track) => !track.isDrum)!.program;
    const absent = (playing + 40) % 128;
    const kept = musicReward(song, expectationOf({ instruments: [playing] }), reference);
    const missed = musicReward(song, expectationOf({ instruments: [absent] }), reference);
    expect(kept.adherence).toBeGreaterThan(missed.adherence!);
    expect(kept.reward).toBeGreaterThan(missed.reward);
    expect(kept.musicality).toBe(missed.musicality);
  });

  it('asks what the request stated: a stated BPM wins over a tempo range', () => {
    expect(expectationOf({ bpm: 90, tempoRange: [60, 80], drums: false, bars: 8 })).toEqual({ error: false, bpm: 90, drums: false, bars: 8 });
    expect(expectationOf({ tempoRange: [60, 80], instruments: [] })).toEqual({ error: false, tempoRange: [60, 80] });
  });
});
