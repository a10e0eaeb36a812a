/**
 * Motif's configuration, in one validated place: environment variables, then a `.env` file in the working folder for
 * the ones the environment leaves unset. Every setting has a default that works on a laptop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const envSchema = z.object({
  MOTIF_DATA: z.string().min(1).default('../shared/data'),
  MOTIF_MODEL_DIR: z.string().min(1).default('models'),
  MOTIF_DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
  /** Threads for one ONNX Runtime operator; more than the cores only adds contention. */
  MOTIF_THREADS: positiveInt(Math.min(4, availableParallelism()), 256),
  MOTIF_MAX_BATCH: positiveInt(8, 64),
  MOTIF_MAX_TOKENS: positiveInt(6144, 100_000),
  MOTIF_REQUEST_TIMEOUT_S: positiveInt(180, 3600),
  MOTIF_GUIDANCE: z.coerce.number().min(0).max(20).default(3),
  MOTIF_TEMPERATURE: z.coerce.number().min(0).max(5).default(1),
  /** 0 turns top-k off. */
  MOTIF_TOP_K: z.coerce.number().int().min(0).max(1000).default(0),
  MOTIF_TOP_P: z.coerce.number().gt(0).max(1).default(0.95),
  /** Longest piece the model may choose when a request states no length. */
  MOTIF_DEFAULT_MAX_BARS: positiveInt(16, 64),
});

export interface SamplingDefaults {
  guidance: number;
  temperature: number;
  topK: number;
  topP: number;
}

export interface MotifConfig {
  dataDir: string;
  modelDir: string;
  device: 'cpu' | 'cuda';
  threads: number;
  maxBatch: number;
  maxTokens: number;
  requestTimeoutMs: number;
  sampling: SamplingDefaults;
  defaultMaxBars: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Values from a `.env` file; a missing file is no error. */
export function readDotenv(file: string): Record<string, string> {
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

/** The configuration from `env` (default: process.env) over the `.env` file; throws a ConfigError naming bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvFile = path.resolve('.env')): MotifConfig {
  const merged: Record<string, string | undefined> = { ...readDotenv(dotenvFile) };
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[name] = value;
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    dataDir: path.resolve(values.MOTIF_DATA),
    modelDir: path.resolve(values.MOTIF_MODEL_DIR),
    device: values.MOTIF_DEVICE,
    threads: values.MOTIF_THREADS,
    maxBatch: values.MOTIF_MAX_BATCH,
    maxTokens: values.MOTIF_MAX_TOKENS,
    requestTimeoutMs: values.MOTIF_REQUEST_TIMEOUT_S * 1000,
    sampling: {
      guidance: values.MOTIF_GUIDANCE,
      temperature: values.MOTIF_TEMPERATURE,
      topK: values.MOTIF_TOP_K,
      topP: values.MOTIF_TOP_P,
    },
    defaultMaxBars: values.MOTIF_DEFAULT_MAX_BARS,
  };
}

let cached: MotifConfig | undefined;

/** The process's configuration, read once. */
export function config(): MotifConfig {
  cached ??= loadConfig();
  return cached;
}
