/**
 * Ogg encapsulation of Opus packets (RFC 7845 on RFC 3533): an identification header page, a comment header page,
 * then the audio packets in pages whose granule positions count 48 kHz samples. The encoder in opus.ts makes the
 * packets; this module only frames them, so it is pure and testable on its own.
 */

export interface OggOpusStream {
  /** One Opus packet per frame, in order. */
  packets: Uint8Array[];
  /** Samples per channel each packet decodes to (48 kHz). */
  frameSamples: number;
  /** The encoder's lookahead: samples the decoder drops at the start. */
  preSkip: number;
  /** Samples per channel of the original audio: the decoder drops what was padded after them. */
  sampleCount: number;
  channels: number;
  /** The input's sample rate, for information (Opus always decodes at 48 kHz). */
  inputSampleRate: number;
  vendor: string;
  /** Vorbis-comment tags, e.g. { TITLE: '...' }. */
  tags?: Record<string, string>;
}

// Header type bits. The third, 0x01 (a packet continued from the last page), is never needed: no packet spans pages.
const FLAG_FIRST = 0x02;
const FLAG_LAST = 0x04;
const MAX_SEGMENTS = 255;
/** Pages of about one second: small enough for streaming players, few enough to keep the overhead under 0.1%. */
const PACKETS_PER_PAGE = 50;

const CRC_TABLE = (() => {
  // Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0, no final xor.
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return crc;
}

/** Segment table entries for one packet: 255s then the remainder (a 0 ends a packet that is a multiple of 255). */
function lacing(length: number): number[] {
  const values = new Array<number>(Math.floor(length / 255)).fill(255);
  values.push(length % 255);
  return values;
}

class PageWriter {
  private readonly pages: Uint8Array[] = [];
  private sequence = 0;

  constructor(private readonly serial: number) {}

  /** One page holding whole packets (each packet here fits in one page). */
  write(packets: Uint8Array[], granule: bigint, flags: number): void {
    const segments = packets.flatMap((p) => lacing(p.length));
    if (segments.length > MAX_SEGMENTS) throw new Error(`an Ogg page holds at most ${MAX_SEGMENTS} segments`);
    const bodyLength = packets.reduce((n, p) => n + p.length, 0);
    const page = new Uint8Array(27 + segments.length + bodyLength);
    const view = new DataView(page.buffer);
    page.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
    page[4] = 0; // stream structure version
    page[5] = flags;
    view.setBigInt64(6, granule, true);
    view.setUint32(14, this.serial, true);
    view.setUint32(18, this.sequence++, true);
    page[26] = segments.length;
    page.set(segments, 27);
    let offset = 27 + segments.length;
    for (const packet of packets) {
      page.set(packet, offset);
      offset += packet.length;
    }
    view.setUint32(22, oggCrc(page), true); // computed with the CRC field still zero
    this.pages.push(page);
  }

  bytes(): Uint8Array {
    const total = this.pages.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const page of this.pages) {
      out.set(page, offset);
      offset += page.length;
    }
    return out;
  }
}

function identificationHeader(stream: OggOpusStream): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode('OpusHead'));
  head[8] = 1; // version
  head[9] = stream.channels;
  view.setUint16(10, stream.preSkip, true);
  view.setUint32(12, stream.inputSampleRate, true);
  view.setInt16(16, 0, true); // output gain: the audio is already at the house loudness
  head[18] = 0; // channel mapping family 0: mono or stereo
  return head;
}

function commentHeader(stream: OggOpusStream): Uint8Array {
  const encoder = new TextEncoder();
  const vendor = encoder.encode(stream.vendor);
  const comments = Object.entries(stream.tags ?? {}).map(([key, value]) => encoder.encode(`${key}=${value}`));
  const out = new Uint8Array(8 + 4 + vendor.length + 4 + comments.reduce((n, c) => n + 4 + c.length, 0));
  const view = new DataView(out.buffer);
  out.set(encoder.encode('OpusTags'));
  let offset = 8;
  const field = (bytes: Uint8Array) => {
    view.setUint32(offset, bytes.length, true);
    out.set(bytes, offset + 4);
    offset += 4 + bytes.length;
  };
  field(vendor);
  view.setUint32(offset, comments.length, true);
  offset += 4;
  comments.forEach(field);
  return out;
}

/** The complete .ogg file. */
export function muxOggOpus(stream: OggOpusStream): Uint8Array {
  const encoded = stream.packets.length * stream.frameSamples;
  if (encoded < stream.preSkip + stream.sampleCount) {
    throw new Error(`${stream.packets.length} packets hold ${encoded} samples, fewer than pre-skip + the audio`);
  }
  // Any stream serial will do for a single-stream file; a fixed one keeps the output reproducible.
  const writer = new PageWriter(0x4d4f5446);
  writer.write([identificationHeader(stream)], 0n, FLAG_FIRST);
  writer.write([commentHeader(stream)], 0n, 0);
  const end = BigInt(stream.preSkip + stream.sampleCount);
  let page: Uint8Array[] = [];
  let segments = 0;
  for (let i = 0; i < stream.packets.length; i++) {
    const packet = stream.packets[i];
    const needed = lacing(packet.length).length;
    if (needed > MAX_SEGMENTS) throw new Error(`an Opus packet of ${packet.length} bytes is too large`);
    if (page.length === PACKETS_PER_PAGE || segments + needed > MAX_SEGMENTS) {
      writer.write(page, BigInt(i * stream.frameSamples), 0);
      page = [];
      segments = 0;
    }
    page.push(packet);
    segments += needed;
  }
  // The last page's granule is the end of the real audio, which tells the decoder to drop the padding after it.
  writer.write(page, end, FLAG_LAST);
  return writer.bytes();
}
