/** `motif bot`: runs the Discord bot until SIGINT or SIGTERM. */
import { parseArgs } from 'node:util';
import { ConfigError, loadBotConfig } from '../config.ts';
import { createLogger } from '../bot/logger.ts';
import { startBot } from '../bot/start.ts';
import { ModelFilesError, ModelMismatchError, getEngine } from '../inference/index.ts';
import { closeRenderThreads } from '../render/index.ts';
import { InputError } from './input.ts';

/** Seconds running jobs get to finish on shutdown; the rest are finished after the next start. */
const SHUTDOWN_GRACE_MS = 20_000;

export async function run(args: string[]): Promise<void> {
  parseArgs({ args, options: {} });
  const config = loadBotConfig();
  const log = createLogger(config.logLevel);
  const bot = await startBot({ config, log }).catch((error: unknown) => {
    if (error instanceof ConfigError) throw new InputError(error.message);
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(`cannot load the model: ${error.message}`);
    throw error;
  });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      bot.stop(SHUTDOWN_GRACE_MS).then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  // The synthesis threads and ONNX sessions would keep the process alive (with Redis the workers have them, not the bot).
  if (!config.redisUrl) {
    await closeRenderThreads();
    await (await getEngine()).close();
  }
}
