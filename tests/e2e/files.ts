/** Checks that the bytes the bot uploaded are what their names say: walked and decoded, not just sniffed. */
import { PNG } from 'pngjs';
import { readMidi } from '../../src/music/midi.ts';
import type { Score } from '../../src/music/score.ts';

export interface OggOpusInfo {
  pages: number;
  channels: number;
  /** Samples at 48 kHz, from the last page's granule position, less the pre-skip. */
  seconds: number;
}

/** Walks every Ogg page (capture pattern, version, segment table) to the last byte; the first packet must be OpusHead. */
export function readOggOpus(bytes: Uint8Array): OggOpusInfo {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let pages = 0;
  let lastGranule = 0n;
  let channels = 0;
  let preSkip = 0;
  while (offset < view.length) {
    if (view.toString('latin1', offset, offset + 4) !== 'OggS') throw new Error(`no Ogg page at byte ${offset}`);
    if (view[offset + 4] !== 0) throw new Error('unknown Ogg version');
    const granule = view.readBigInt64LE(offset + 6);
    const segments = view[offset + 26];
    let bodyLength = 0;
    for (let i = 0; i < segments; i++) bodyLength += view[offset + 27 + i];
    const body = offset + 27 + segments;
    if (pages === 0) {
      if (view.toString('latin1', body, body + 8) !== 'OpusHead') throw new Error('the first packet is not OpusHead');
      channels = view[body + 9];
      preSkip = view.readUInt16LE(body + 10);
    }
    if (pages === 1 && view.toString('latin1', body, body + 8) !== 'OpusTags') throw new Error('the second packet is not OpusTags');
    if (granule >= 0n) lastGranule = granule;
    offset = body + bodyLength;
    pages += 1;
  }
  if (offset !== view.length) throw new Error('the last Ogg page runs past the end of the file');
  return { pages, channels, seconds: (Number(lastGranule) - preSkip) / 48_000 };
}

export function readMidiFile(bytes: Uint8Array): Score {
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== 'MThd') throw new Error('not a Standard MIDI File');
  return readMidi(bytes);
}

export function readPng(bytes: Uint8Array): { width: number; height: number; inkedFraction: number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  // How much of the picture differs from its corner (background) colour: an empty canvas would be 0.
  let inked = 0;
  const [r, g, b] = png.data;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] !== r || png.data[i + 1] !== g || png.data[i + 2] !== b) inked++;
  return { width: png.width, height: png.height, inkedFraction: inked / (png.width * png.height) };
}

export function noteCount(score: Score): number {
  return score.tracks.reduce((sum, track) => sum + track.notes.length, 0);
}
