/**
 * The worker side of worker-host.ts: opens the sessions and serves the model host's calls, so that onnxruntime's
 * synchronous runs block this thread instead of the engine's.
 */
import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import type { ModelDims } from './manifest.ts';
import { ModelHost } from './model-host.ts';
import { createSessions } from './sessions.ts';
import type { HostRequest, WorkerReply, WorkerStart } from './worker-protocol.ts';

const port = parentPort!;
const start = workerData as WorkerStart & { dims: ModelDims };
try {
  const sessions = await createSessions(start.encoderPath, start.decoderPath, {
    ...start.options,
    log: (line) => port.postMessage({ kind: 'log', line } satisfies WorkerReply),
  });
  const host = new ModelHost(sessions, start.dims);
  port.on('message', async (request: HostRequest) => {
    if (request.kind === 'release') return host.release(request.ids);
    try {
      const result = await (host[request.method] as (argument: unknown) => Promise<unknown>)(request.argument);
      // Logits move instead of being copied; nothing else here is large.
      const transfer: Transferable[] = request.method === 'decode' ? [(result as { logits: Float32Array }).logits.buffer as ArrayBuffer] : [];
      port.postMessage({ kind: 'done', call: request.call, result } satisfies WorkerReply, transfer);
    } catch (error) {
      port.postMessage({ kind: 'error', call: request.call, message: (error as Error).message } satisfies WorkerReply);
    }
  });
  port.postMessage({ kind: 'ready', device: sessions.device, layout: host.layout } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ kind: 'start-failed', message: (error as Error).message } satisfies WorkerReply);
}
