/**
 * Attached MIDI files read as the bot reads them: from a real HTTP server, the real fixture, and the hostile cases the
 * issue names (a PNG, an empty file, a 20 MB file sent as .mid, and one whose declared size lies).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUploadedMidi, UploadError } from '../src/jobs/uploaded-midi.ts';
import { noteCount } from '../src/music/score.ts';

const FIXTURE = readFileSync('tests/fixtures/freedoom-d_map16.mid');
/** The PNG signature and the start of an IHDR chunk: what a picture sent by mistake starts with. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const MAX_BYTES = 1024 * 1024;
const TWENTY_MB = 20 * 1024 * 1024;

describe('an attached MIDI file', () => {
  let server: Server;
  let base: string;
  let servedBytes = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/song.mid') return response.end(FIXTURE);
      if (request.url === '/picture.mid') return response.end(PNG);
      if (request.url === '/empty.mid') return response.end();
      if (request.url === '/huge.mid') {
        // Streams 20 MB in 64 KB pieces, counting what left the server: the reader must stop long before the end.
        const piece = Buffer.alloc(64 * 1024, 0x4d);
        let sent = 0;
        const more = (): void => {
          while (sent < TWENTY_MB) {
            sent += piece.length;
            servedBytes = sent;
            if (!response.write(piece)) return void response.once('drain', more);
          }
          response.end();
        };
        response.on('close', () => undefined);
        return more();
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const read = (name: string, path: string, size: number) => readUploadedMidi({ name, size, url: `${base}${path}` }, MAX_BYTES);
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(UploadError);
    return (error as Error).message;
  };

  it('a real MIDI file is read into its notes', async () => {
    const score = await read('d_map16.mid', '/song.mid', FIXTURE.length);
    expect(noteCount(score)).toBeGreaterThan(900);
  });

  it('a PNG sent as .mid, an empty file and a file that is not .mid each get one plain sentence', async () => {
    expect(await refusal(read('cat.mid', '/picture.mid', PNG.length))).toBe('The file is not a MIDI file.');
    expect(await refusal(read('empty.mid', '/empty.mid', 0))).toBe('The file is empty.');
    expect(await refusal(read('cat.png', '/picture.mid', PNG.length))).toBe('Send a MIDI file (.mid): "cat.png" is not one.');
  });

  it('a 20 MB file is refused by its declared size, before anything is downloaded', async () => {
    servedBytes = 0;
    expect(await refusal(read('huge.mid', '/huge.mid', TWENTY_MB))).toBe('The file is 20480 KB; Motif reads MIDI files of up to 1024 KB.');
    expect(servedBytes).toBe(0);
  });

  it('a file whose declared size lies is cut off at the limit while it downloads', async () => {
    expect(await refusal(read('small.mid', '/huge.mid', 1000))).toBe('The file is larger than 1024 KB, the most Motif reads.');
    expect(servedBytes).toBeLessThan(TWENTY_MB / 2);
  });
});
