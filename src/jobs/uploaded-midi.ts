/**
 * A MIDI file a person attached to /continue or /restyle. It is hostile until read: its declared size is checked
 * before anything is downloaded, the download stops at the same limit whatever the declared size said, and the bytes
 * go through the same bounded reader as `motif render` (music/midi.ts, length-limits.ts). Every refusal is one plain
 * sentence for the person; nothing of the file is kept but the score it becomes.
 */
import { MidiReadError, readMidiFile, type MidiReadReason } from '../music/midi.ts';
import { noteCount, type Score } from '../music/score.ts';

/** What Discord says of an attachment before it is downloaded. */
export interface UploadedFile {
  name: string;
  /** Declared size in bytes. */
  size: number;
  url: string;
}

/** A refusal told to the person as it is. */
export class UploadError extends Error {
  readonly userFacing = true;
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

/** Time a download may take: a MIDI file within the limit is a few hundred kilobytes at most. */
export const DOWNLOAD_TIMEOUT_MS = 15_000;

const MIDI_NAME = /\.(mid|midi|kar)$/i;

const READ_PROBLEMS: Record<MidiReadReason, string> = {
  'empty-file': 'The file is empty.',
  'not-midi': 'The file is not a MIDI file.',
  'bad-header': 'The file is not a MIDI file Motif can read (its header is damaged).',
  corrupt: 'The MIDI file is damaged, so Motif cannot read it.',
  'no-notes': 'The MIDI file has no notes, so there is nothing to work from.',
};

function kilobytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** The body of `url`, refused as soon as it passes `maxBytes` (a declared size can lie). */
export async function downloadBounded(url: string, maxBytes: number): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(() => {
    throw new UploadError('Motif could not download the file. Try sending it again.');
  });
  if (!response.ok || !response.body) throw new UploadError('Motif could not download the file. Try sending it again.');
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new UploadError(`The file is larger than ${kilobytes(maxBytes)}, the most Motif reads.`);
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Why an attachment is refused by what Discord says of it (name, declared size), or undefined: the slash commands
 * answer this at once, before anything is queued or downloaded.
 */
export function uploadProblem(file: Pick<UploadedFile, 'name' | 'size'>, maxBytes: number): string | undefined {
  if (!MIDI_NAME.test(file.name)) return `Send a MIDI file (.mid): "${file.name.slice(0, 80)}" is not one.`;
  if (file.size === 0) return READ_PROBLEMS['empty-file'];
  if (file.size > maxBytes) return `The file is ${kilobytes(file.size)}; Motif reads MIDI files of up to ${kilobytes(maxBytes)}.`;
  return undefined;
}

/** The score of an attached MIDI file; throws an UploadError with the reason in one sentence. */
export async function readUploadedMidi(file: UploadedFile, maxBytes: number, download = downloadBounded): Promise<Score> {
  const problem = uploadProblem(file, maxBytes);
  if (problem) throw new UploadError(problem);
  const bytes = await download(file.url, maxBytes);
  try {
    const { score } = readMidiFile(bytes);
    if (noteCount(score) === 0) throw new UploadError(READ_PROBLEMS['no-notes']);
    return score;
  } catch (error) {
    if (error instanceof MidiReadError) throw new UploadError(READ_PROBLEMS[error.reason]);
    throw error;
  }
}
