/**
 * The render figures of `motif bench` on a real song, as the render issue states its goal: a 30-second piece with at
 * least 8 tracks (the first such song in the freemidi archive of the shared data, cut to whole bars), synthesized,
 * normalized and encoded with the in-process Opus encoder, and encoded again with ffmpeg's libopus as the baseline.
 */
import path from 'node:path';
import { isMidiName, readArchive } from '../dataset/archive.ts';
import { readMidi } from '../music/midi.ts';
import { barSlicer, scoreEndTick, tickToSeconds, type Score } from '../music/score.ts';
import { defaultOpusEncoder, measureRenderSpeed, type OpusEncoderName } from '../render/index.ts';

export const RENDER_BENCH_ARCHIVE = 'multitrack/freemidi.tar.gz';
export const RENDER_BENCH_TRACKS = 8;

export interface RenderBench {
  source: string;
  tracks: number;
  audioSeconds: number;
  encoder: OpusEncoderName;
  synthMs: number;
  loudnessMs: number;
  encodeMs: number;
  /** Synthesis + loudness + encoding, median over the repeats. */
  totalMs: number;
  synthRealtimeX: number;
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

/** The first `seconds` (whole bars) of each archive song that has at least `minTracks` tracks playing in them. */
export async function* denseExcerpts(archive: string, seconds: number, minTracks = RENDER_BENCH_TRACKS): AsyncGenerator<DenseExcerpt> {
  for await (const member of readArchive(archive, isMidiName)) {
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
    source: found.source,
    tracks: found.tracks,
    audioSeconds: ours.audioSeconds,
    encoder,
    synthMs: ours.synthMs,
    loudnessMs: ours.loudnessMs,
    encodeMs: ours.encodeMs,
    totalMs: ours.totalMs,
    synthRealtimeX: ours.synthSpeed,
    baselineEncodeMs: baseline.encodeMs,
    baselineTotalMs: baseline.totalMs,
    encodeSpeedup: baseline.encodeMs / ours.encodeMs,
  };
}
