/** One thread of the Opus encoding pool (opus-pool.ts): encodes the runs of frames it is given. */
import { reportStartFailure, serveJobs } from './job-thread.ts';
import { encodeFrames, nativeOpus, type EncodedRun, type FrameRun } from './libopus.ts';

if (nativeOpus()) {
  serveJobs<FrameRun, EncodedRun>((run) => {
    const encoded = encodeFrames(run);
    return { result: encoded, transfer: [encoded.bytes.buffer as ArrayBuffer, encoded.lengths.buffer as ArrayBuffer] };
  });
} else {
  reportStartFailure(new Error('@discordjs/opus is not installed or was not built here'));
}
