/**
 * `motif worker`: takes compose / vary / extend jobs from Redis (REDIS_URL), makes the music and posts it through
 * Discord's REST API, until SIGINT or SIGTERM. Run as many as the machines have room for (README, "Deployment").
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadBotConfig } from '../config.ts';
import { createLogger } from '../bot/logger.ts';
import { ModelFilesError, ModelMismatchError, getEngine } from '../inference/index.ts';
import { startWorker } from '../jobs/start-worker.ts';
import { closeRenderThreads } from '../render/index.ts';
import { InputError } from './input.ts';

/** Running jobs get this long to finish on shutdown; the rest go back in line for the other workers. */
const SHUTDOWN_GRACE_MS = 20_000;

export async function run(args: string[]): Promise<void> {
  parseArgs({ args, options: {} });
  const config = loadBotConfig();
  if (!config.redisUrl) throw new InputError('a worker takes its jobs from Redis: set REDIS_URL (and DATABASE_URL for a store shared between machines)');
  const log = createLogger(config.logLevel);
  const worker = await startWorker({ config, log }).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new InputError(error.message);
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(`cannot load the model: ${error.message}`);
    throw error;
  });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      worker.stop(SHUTDOWN_GRACE_MS).then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  // The synthesis threads and ONNX sessions would keep the process alive.
  await closeRenderThreads();
  await (await getEngine()).close();
}
