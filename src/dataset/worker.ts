/** The worker side of the pool: processes one piece per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { processPiece, type PieceTask, type ProcessOptions } from './process.ts';

const options = workerData as ProcessOptions;

parentPort!.on('message', ({ seq, task }: { seq: number; task: PieceTask }) => {
  try {
    parentPort!.postMessage({ seq, result: processPiece(task, options) });
  } catch (error) {
    // A bug on one exotic file must not stop the build: it is counted, with its message, in the data card.
    parentPort!.postMessage({ seq, result: { examples: [], skipped: `error: ${(error as Error).message.slice(0, 120)}` } });
  }
});
