/**
 * Reads the MIDI file a command names: a path on disk, or `ARCHIVE.tar.gz:MEMBER` for a file inside one of the
 * shared data archives (read in place, never unpacked).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readArchiveMember } from '../dataset/archive.ts';
import { readMidiFile } from '../music/midi.ts';
import type { Score } from '../music/score.ts';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export async function readInputFile(spec: string): Promise<Uint8Array> {
  const archiveMatch = /^(.*\.tar\.gz):(.+)$/.exec(spec);
  if (archiveMatch) {
    const bytes = await readArchiveMember(archiveMatch[1], archiveMatch[2]).catch((error: Error) => {
      throw new InputError(`cannot open archive ${archiveMatch[1]}: ${error.message}`);
    });
    if (!bytes) throw new InputError(`${archiveMatch[1]} has no member ${archiveMatch[2]}`);
    return bytes;
  }
  try {
    return new Uint8Array(await readFile(spec));
  } catch (error) {
    throw new InputError(`cannot read ${spec}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The name of the file a spec names, without its extension (for ARCHIVE.tar.gz:MEMBER, the member's). */
export function inputBaseName(spec: string): string {
  return path.basename(spec.replace(/^.*\.tar\.gz:/, '')).replace(/\.(mid|midi|kar)$/i, '');
}

/** The score of the MIDI file a command names; what the reader left out is said on stderr, one line each. */
export async function readScoreInput(spec: string, command: string): Promise<Score> {
  const { score, notes } = readMidiFile(await readInputFile(spec));
  for (const note of notes) console.error(`motif ${command}: note: ${note}`);
  return score;
}
