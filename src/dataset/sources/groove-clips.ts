/**
 * Drum grooves from the Groove MIDI Dataset, cut into whole bars, for arrangements that need a real drummer:
 * a jazz chart's swing, a lo-fi track's hip-hop beat. A groove keeps its notes in beats, so playing it at another
 * tempo retimes it without moving a note off the grid.
 */
import path from 'node:path';
import { readArchive, readArchiveMember } from '../archive.ts';
import { parseCsv } from '../manifest.ts';
import { readMidi } from '../../music/midi.ts';
import { td11ToGeneralMidi } from '../../music/drum-kits.ts';
import { clampVelocity } from '../arranging/arrangement.ts';
import { barTicks, barsOf, scoreEndTick, type Bar, type Note, type Track } from '../../music/score.ts';

export interface GrooveClip {
  /** The performance's path in the archive. */
  id: string;
  /** "<drummer>/<info id>", as the groove source names the performance in its song ids. */
  performance: string;
  /** Groove's style label, e.g. "hiphop", "jazz/swing", "latin/brazilian-bossa". */
  style: string;
  bpm: number;
  meter: [number, number];
  /** Whole bars of playing, each with onsets relative to its bar line. */
  bars: Note[][];
}

export const GROOVE_ORIGIN = 'Groove MIDI Dataset (CC BY 4.0)';
/** A bar with fewer hits than this is a pause or the ragged end of a take. */
const MIN_NOTES_PER_BAR = 4;

/** The playing bars of a performance: from the first bar that starts on its downbeat to the last full bar. */
export function clipBars(notes: readonly Note[], bars: readonly Bar[]): Note[][] {
  const perBar = bars.map((bar) => notes
    .filter((note) => note.onset >= bar.start && note.onset < bar.start + bar.ticks)
    .map((note) => ({ ...note, onset: note.onset - bar.start })));
  const first = perBar.findIndex((hits) => hits.length >= MIN_NOTES_PER_BAR && hits.some((note) => note.onset < 3));
  if (first < 0) return [];
  let last = perBar.length - 1;
  // The final bar is usually cut off mid-phrase; drop it, and any quiet bars before it.
  last -= 1;
  while (last >= first && perBar[last].length < MIN_NOTES_PER_BAR) last -= 1;
  const kept = perBar.slice(first, last + 1);
  return kept.every((hits) => hits.length >= MIN_NOTES_PER_BAR) ? kept : kept.slice(0, kept.findIndex((hits) => hits.length < MIN_NOTES_PER_BAR));
}

/** Beats (not fills) whose info row passes the filter, as clips of at least two bars, in archive order. */
export async function loadGrooveClips(dataDir: string, accept: (row: Record<string, string>) => boolean): Promise<GrooveClip[]> {
  const archive = path.join(dataDir, 'parts', 'groove.tar.gz');
  const info = await readArchiveMember(archive, 'groove/info.csv');
  if (!info) return [];
  const rows = new Map(parseCsv(info)
    .filter((row) => row.beat_type === 'beat' && accept(row))
    .map((row) => [`groove/${row.midi_filename}`, row]));
  const clips: GrooveClip[] = [];
  for await (const member of readArchive(archive, (name) => rows.has(name))) {
    const row = rows.get(member.name)!;
    const [numerator, denominator] = row.time_signature.split('-').map(Number);
    let score;
    try {
      score = readMidi(member.bytes);
    } catch {
      continue;
    }
    const drums = td11ToGeneralMidi(score.tracks.filter((track) => track.isDrum).flatMap((track) => track.notes));
    const meterOk = score.timeSignatures.length === 1 && score.timeSignatures[0].numerator === numerator && score.timeSignatures[0].denominator === denominator;
    if (!meterOk) continue;
    const bars = clipBars(drums, barsOf(score, scoreEndTick(score)));
    if (bars.length < 2) continue;
    clips.push({ id: member.name, performance: `${row.drummer}/${row.id}`, style: row.style, bpm: Number(row.bpm), meter: [numerator, denominator], bars });
  }
  return clips;
}

/**
 * A drum track over `bars` (all in the clip's meter) from the clip's bars, starting at `from` and wrapping around,
 * velocities scaled (a mellow mix plays the same groove softer).
 */
export function grooveTrack(clip: GrooveClip, bars: readonly Bar[], from: number, velocityScale = 1): Track {
  const length = barTicks(clip.meter[0], clip.meter[1]);
  const notes: Note[] = [];
  bars.forEach((bar, i) => {
    if (bar.ticks !== length) return;
    for (const note of clip.bars[(from + i) % clip.bars.length]) {
      notes.push({ ...note, onset: bar.start + note.onset, velocity: clampVelocity(note.velocity * velocityScale) });
    }
  });
  return { program: 0, isDrum: true, name: 'drums', notes };
}
