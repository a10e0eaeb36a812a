/** Where the tests find the shared training data (read in place, never copied). */
import path from 'node:path';
import { isMidiName, readArchive, type ArchiveMember } from '../../src/dataset/archive.ts';

export const DATA_DIR = path.resolve(process.env.MOTIF_DATA ?? '../shared/data');

export function archivePath(relative: string): string {
  return path.join(DATA_DIR, relative);
}

/** The first `count` MIDI members of an archive, in archive order. */
export async function sampleMidi(relative: string, count: number): Promise<ArchiveMember[]> {
  const members: ArchiveMember[] = [];
  for await (const member of readArchive(archivePath(relative), isMidiName)) {
    members.push(member);
    if (members.length >= count) break;
  }
  return members;
}
