/** Token ids as a compact blob: little-endian 16-bit, which the music vocabulary fits with room to spare. */
const MAX_ID = 0xffff;

export function encodeTokens(tokens: readonly number[]): Buffer {
  const bytes = Buffer.alloc(tokens.length * 2);
  tokens.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw new RangeError(`token id ${id} does not fit 16 bits`);
    bytes.writeUInt16LE(id, i * 2);
  });
  return bytes;
}

export function decodeTokens(bytes: Uint8Array): number[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length % 2 !== 0) throw new RangeError('a token blob has an odd number of bytes');
  return Array.from({ length: view.length / 2 }, (_, i) => view.readUInt16LE(i * 2));
}
