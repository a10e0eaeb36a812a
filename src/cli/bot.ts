/**
 * `motif bot [--shards auto|N]`: runs the Discord bot until SIGINT or SIGTERM. With --shards, this process manages
 * shard processes (src/bot/shards.ts), each a `motif bot` of its own; REDIS_URL is required then.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadBotConfig } from '../config.ts';
import { createLogger } from '../bot/logger.ts';
import { startShards } from '../bot/shards.ts';
import { startBot } from '../bot/start.ts';
import { ModelFilesError, ModelMismatchError, getEngine } from '../inference/index.ts';
import { closeRenderThreads } from '../render/index.ts';
import { InputError } from './input.ts';

/** Seconds running jobs get to finish on shutdown; the rest are finished after the next start. */
const SHUTDOWN_GRACE_MS = 20_000;

function shardCount(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new InputError(`--shards takes "auto" or a number of shards from 1 to 1000, not "${value}"`);
  return count;
}

function untilSignal(stop: () => Promise<void>, log: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      stop().then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { shards: { type: 'string' } } });
  const config = loadBotConfig();
  const log = createLogger(config.logLevel);
  const asked = (error: unknown): never => {
    if (error instanceof ConfigError) throw new InputError(error.message);
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(`cannot load the model: ${error.message}`);
    throw error;
  };
  if (values.shards !== undefined) {
    const shards = await startShards(config, log, shardCount(values.shards)).catch(asked);
    await untilSignal(() => shards.stop(), log);
    return;
  }
  const bot = await startBot({ config, log }).catch(asked);
  await untilSignal(() => bot.stop(SHUTDOWN_GRACE_MS), log);
  // A shard's channel to its manager (src/bot/shards.ts) would keep the process alive.
  if (process.connected) process.disconnect();
  // The synthesis threads and ONNX sessions would keep the process alive (with Redis the workers have them, not the bot).
  if (!config.redisUrl) {
    await closeRenderThreads();
    await (await getEngine()).close();
  }
}
