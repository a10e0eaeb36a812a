/**
 * The render figures of `motif bench` on real songs, as the render issue states its goal: 30-second pieces with at
 * least 8 tracks from the freemidi archive of the shared data, cut to whole bars, synthesized, normalized and
 * encoded. The first such song is also encoded with ffmpeg's libopus as the encoder's baseline; the first of each
 * genre folder shows how far the speed varies with the music (what a song costs is its voices: how many notes sound
 * at once, with their release tails).
 */
import path from 'node:path';
import { isMidiName, readArchive } from '../dataset/archive.ts';
import { percentile } from '../analysis/metrics/index.ts';
import { readMidi } from '../music/midi.ts';
import { barSlicer, scoreEndTick, tickToSeconds, type Score } from '../music/score.ts';
import { defaultOpusEncoder, measureRenderSpeed, type OpusEncoderName, type RenderSpeed } from '../render/index.ts';

export const RENDER_BENCH_ARCHIVE = 'multitrack/freemidi.tar.gz';
export const RENDER_BENCH_TRACKS = 8;

/** The first dense song: our encoder, and ffmpeg's libopus on the same renders. */
export interface RenderBench extends SongRender {
  encoder: OpusEncoderName;
  /** The same take encoded by ffmpeg's libopus. */
  baselineEncodeMs: number;
  baselineTotalMs: number;
  encodeSpeedup: number;
}

export interface DenseExcerpt {
  source: string;
  score: Score;
  /** Tracks with notes in the excerpt. */
  tracks: number;
}

/**
 * The first `seconds` (whole bars) of each archive song that has at least `minTracks` tracks playing in them, among
 * the members `wanted` accepts (asked again before each member, so it may change its mind as excerpts are found).
 */
export async function* denseExcerpts(archive: string, seconds: number, minTracks = RENDER_BENCH_TRACKS, wanted: (name: string) => boolean = () => true): AsyncGenerator<DenseExcerpt> {
  for await (const member of readArchive(archive, (name) => isMidiName(name) && wanted(name))) {
    let score: Score;
    try {
      score = readMidi(member.bytes);
    } catch {
      continue; // a file the reader refuses is not a benchmark candidate
    }
    const slice = barSlicer(score);
    const songEnd = scoreEndTick(score);
    for (let bars = 1; bars <= 64; bars++) {
      const excerpt = slice(0, bars);
      const end = scoreEndTick(excerpt);
      if (end >= songEnd) break;
      if (tickToSeconds(excerpt, end) < seconds) continue;
      const tracks = excerpt.tracks.filter((t) => t.notes.length > 0).length;
      if (tracks >= minTracks) yield { source: `${path.basename(archive)}:${member.name}`, score: excerpt, tracks };
      break;
    }
  }
}

/** The first of denseExcerpts, or null. */
export async function findDenseExcerpt(archive: string, seconds: number, minTracks = RENDER_BENCH_TRACKS): Promise<DenseExcerpt | null> {
  for await (const excerpt of denseExcerpts(archive, seconds, minTracks)) return excerpt;
  return null;
}

export async function benchRender(dataDir: string, seconds: number, soundfont?: string, repeats = 3): Promise<RenderBench | null> {
  const found = await findDenseExcerpt(path.join(dataDir, RENDER_BENCH_ARCHIVE), seconds);
  if (!found) return null;
  const encoder = defaultOpusEncoder();
  const ours = await measureRenderSpeed(found.score, { soundfont, repeats, encoder });
  const baseline = await measureRenderSpeed(found.score, { soundfont, repeats, encoder: 'ffmpeg' });
  return {
    ...songRender(found.source, found.tracks, ours),
    encoder,
    baselineEncodeMs: baseline.encodeMs,
    baselineTotalMs: baseline.totalMs,
    encodeSpeedup: baseline.encodeMs / ours.encodeMs,
  };
}

/** One song's render: medians of `repeats` renders. */
export interface SongRender {
  source: string;
  tracks: number;
  audioSeconds: number;
  synthMs: number;
  loudnessMs: number;
  encodeMs: number;
  /** Synthesis + loudness + encoding. */
  totalMs: number;
  synthRealtimeX: number;
}

export interface GenreRenders {
  songs: SongRender[];
  medianTotalMs: number;
  worstTotalMs: number;
  medianSynthRealtimeX: number;
  worstSynthRealtimeX: number;
}

export function songRender(source: string, tracks: number, speed: RenderSpeed): SongRender {
  const { audioSeconds, synthMs, loudnessMs, encodeMs, totalMs, synthSpeed } = speed;
  return { source, tracks, audioSeconds, synthMs, loudnessMs, encodeMs, totalMs, synthRealtimeX: synthSpeed };
}

/** The genre folder of an archive member ("rock/kim-1.mid" -> "rock"). */
function genreOf(name: string): string {
  return path.posix.dirname(name.replace(/^[^:]*:/, ''));
}

/** The first dense excerpt of each genre folder in the archive, each rendered `repeats` times. */
export async function benchGenreSongs(dataDir: string, seconds: number, soundfont?: string, repeats = 3): Promise<GenreRenders | null> {
  const archive = path.join(dataDir, RENDER_BENCH_ARCHIVE);
  const found = new Map<string, DenseExcerpt>();
  for await (const excerpt of denseExcerpts(archive, seconds, RENDER_BENCH_TRACKS, (name) => !found.has(genreOf(name)))) {
    found.set(genreOf(excerpt.source), excerpt);
  }
  if (found.size === 0) return null;
  const songs: SongRender[] = [];
  for (const { source, score, tracks } of found.values()) songs.push(songRender(source, tracks, await measureRenderSpeed(score, { soundfont, repeats })));
  const totals = songs.map((song) => song.totalMs).sort((a, b) => a - b);
  const speeds = songs.map((song) => song.synthRealtimeX).sort((a, b) => a - b);
  return {
    songs,
    medianTotalMs: percentile(totals, 50),
    worstTotalMs: totals[totals.length - 1],
    medianSynthRealtimeX: percentile(speeds, 50),
    worstSynthRealtimeX: speeds[0],
  };
}
