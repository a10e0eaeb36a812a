/**
 * The worker side of worker-runner.ts: opens the two sessions and runs each call it is sent, so that onnxruntime's
 * synchronous run blocks this thread instead of the engine's. The arrays a call lends (caches, cross states) go back
 * with its answer, whether it succeeded or not, so that their owner has them again either way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSessions, runSession } from './sessions.ts';
import { buffersOf, lentArrays, type CallRequest, type WorkerReply, type WorkerStart } from './worker-protocol.ts';

const port = parentPort!;
const start = workerData as WorkerStart;
try {
  const sessions = await createSessions(start.encoderPath, start.decoderPath, {
    ...start.options,
    log: (line) => port.postMessage({ kind: 'log', line } satisfies WorkerReply),
  });
  port.on('message', async ({ call, graph, feeds, lent }: CallRequest) => {
    try {
      const outputs = await runSession(sessions[graph], feeds);
      const outputArrays = Object.values(outputs).map((feed) => feed.data);
      port.postMessage({ kind: 'done', call, outputs, lent } satisfies WorkerReply, buffersOf([...outputArrays, ...lentArrays(lent)]));
    } catch (error) {
      port.postMessage({ kind: 'error', call, message: (error as Error).message, lent } satisfies WorkerReply, buffersOf(lentArrays(lent)));
    }
  });
  port.postMessage({ kind: 'ready', device: sessions.device, decoderInputs: [...sessions.decoder.inputNames] } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'start-failed', message: (error as Error).message } satisfies WorkerReply);
}
