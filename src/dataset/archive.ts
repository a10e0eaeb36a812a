/**
 * Streams the members of a .tar.gz archive without unpacking it to disk (the shared data is read in place).
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

export interface ArchiveMember {
  name: string;
  bytes: Uint8Array;
}

export type MemberFilter = (name: string) => boolean;

/** Yields each regular file of the archive whose name passes the filter, in archive order. */
export async function* readArchive(path: string, filter: MemberFilter = () => true): AsyncGenerator<ArchiveMember> {
  const tar = extract();
  createReadStream(path).on('error', (error) => tar.destroy(error)).pipe(createGunzip()).on('error', (error) => tar.destroy(error)).pipe(tar);
  for await (const entry of tar) {
    const name = entry.header.name;
    if (entry.header.type !== 'file' || !filter(name)) {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    yield { name, bytes: new Uint8Array(Buffer.concat(chunks)) };
  }
}

/** The bytes of one member, or undefined when the archive has no such file. */
export async function readArchiveMember(path: string, member: string): Promise<Uint8Array | undefined> {
  for await (const entry of readArchive(path, (name) => name === member)) return entry.bytes;
  return undefined;
}

export const isMidiName: MemberFilter = (name) => /\.(mid|midi|kar)$/i.test(name);
