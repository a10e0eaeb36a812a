import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  let dir: string;
  let dotenv: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'motif-config-'));
    dotenv = path.join(dir, '.env');
    await writeFile(dotenv, 'MOTIF_DEVICE=cuda\nMOTIF_THREADS=3\nMOTIF_MODEL_DIR=from-dotenv\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has defaults that work on a laptop', () => {
    const config = loadConfig({}, path.join(dir, 'missing.env'));
    expect(config.modelDir).toBe(path.resolve('models'));
    expect(config.device).toBe('cpu');
    expect(config.threads).toBeGreaterThanOrEqual(1);
    expect(config.threads).toBeLessThanOrEqual(4);
    expect(config.sampling).toEqual({ guidance: undefined, temperature: 1, topK: 0, topP: 0.95, keyPrior: 1 });
    expect(config.requestTimeoutMs).toBe(180_000);
  });

  it('reads .env, with the environment taking precedence', () => {
    const config = loadConfig({ MOTIF_THREADS: '2', MOTIF_GUIDANCE: '1.5' }, dotenv);
    expect(config.device).toBe('cuda');
    expect(config.threads).toBe(2);
    expect(config.modelDir).toBe(path.resolve('from-dotenv'));
    expect(config.sampling.guidance).toBe(1.5);
  });

  it('names every bad value', () => {
    expect(() => loadConfig({ MOTIF_DEVICE: 'tpu' }, dotenv)).toThrow(ConfigError);
    expect(() => loadConfig({ MOTIF_THREADS: '0', MOTIF_TOP_P: '2' }, dotenv)).toThrow(/MOTIF_THREADS.*MOTIF_TOP_P/);
  });
});
