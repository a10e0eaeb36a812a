/**
 * ONNX Runtime sessions for the encoder and decoder graphs. CPU by default; CUDA when asked for and installed
 * (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install` fetches its libraries), otherwise CPU with one log line.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Feeds } from './feeds.ts';

export type Device = 'cpu' | 'cuda';

export interface SessionOptions {
  device: Device;
  /** Threads inside one operator (CPU). */
  threads: number;
  /** Where the fallback line goes; console.warn by default. */
  log?: (line: string) => void;
}

export interface ModelSessions {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  /** The device the sessions run on, after any fallback. */
  device: Device;
}

/** Runs a session on plain feeds. ORT reads the feeds' arrays in place (views into larger buffers included). */
export async function runSession(session: ort.InferenceSession, feeds: Feeds): Promise<Feeds> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) tensors[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  const out = await session.run(tensors);
  const result: Feeds = {};
  for (const [name, tensor] of Object.entries(out)) {
    result[name] = { type: tensor.type as 'float32' | 'int64', data: tensor.data as Float32Array | BigInt64Array, dims: tensor.dims };
  }
  return result;
}

/** True when onnxruntime-node has its CUDA provider library; without it ORT only prints a native error. */
export function cudaProviderInstalled(): boolean {
  try {
    const packageDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const files = readdirSync(path.join(packageDir, 'bin'), { recursive: true }) as string[];
    return files.some((file) => path.basename(file).startsWith('libonnxruntime_providers_cuda'));
  } catch {
    return false;
  }
}

function sessionOptions(device: Device, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: device === 'cuda' ? [{ name: 'cuda', deviceId: 0 }] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

async function createPair(encoderPath: string, decoderPath: string, device: Device, threads: number) {
  const options = sessionOptions(device, threads);
  const [encoder, decoder] = await Promise.all([
    ort.InferenceSession.create(encoderPath, options),
    ort.InferenceSession.create(decoderPath, options),
  ]);
  return { encoder, decoder };
}

export async function createSessions(encoderPath: string, decoderPath: string, options: SessionOptions): Promise<ModelSessions> {
  const log = options.log ?? ((line: string) => console.warn(line));
  if (options.device === 'cuda') {
    if (!cudaProviderInstalled()) {
      log('motif: MOTIF_DEVICE=cuda, but onnxruntime-node has no CUDA provider installed (ONNXRUNTIME_NODE_INSTALL=cuda12 npm install); running on CPU');
    } else {
      try {
        return { ...(await createPair(encoderPath, decoderPath, 'cuda', options.threads)), device: 'cuda' };
      } catch (error) {
        log(`motif: MOTIF_DEVICE=cuda, but CUDA is not usable here (${(error as Error).message.split('\n')[0]}); running on CPU`);
      }
    }
  }
  return { ...(await createPair(encoderPath, decoderPath, 'cpu', options.threads)), device: 'cpu' };
}
