/**
 * `motif bot --shards auto|N`: the gateway split over shard processes (discord.js's ShardingManager), as Discord
 * requires from 2,500 servers. Each shard is a `motif bot` process of its own that talks to Discord for its servers
 * and queues jobs; the music is the workers' (BullMQ), so REDIS_URL is required: jobs queued by any shard are made
 * once. The first shard alone looks for what a previous run left (jobs, votes cast while away). A shard that dies is
 * started again by the manager.
 */
import { fileURLToPath } from 'node:url';
import { REST, Routes, ShardingManager } from 'discord.js';
import type { Logger } from 'pino';
import { ConfigError, type BotConfig } from '../config.ts';

/** The `motif` command the shards run (`motif bot`, with discord.js's SHARDS and SHARD_COUNT in their environment). */
const MOTIF = fileURLToPath(new URL('../../bin/motif.js', import.meta.url));
/** A shard's model-free start (store, Redis, login) is seconds; slow machines get a minute. */
const SHARD_READY_TIMEOUT_MS = 120_000;

export interface RunningShards {
  manager: ShardingManager;
  /** Stops the shards (each a graceful `motif bot` shutdown) and waits for them to exit. */
  stop(): Promise<void>;
}

/** How many shards Discord recommends for this bot (GET /gateway/bot), through DISCORD_API_URL when set. */
async function recommendedShards(config: BotConfig): Promise<number> {
  const rest = new REST(config.discordApi ? { api: config.discordApi } : {}).setToken(config.token);
  const { shards } = await rest.get(Routes.gatewayBot()) as { shards: number };
  return shards;
}

export async function startShards(config: BotConfig, log: Logger, count: number | 'auto'): Promise<RunningShards> {
  if (!config.redisUrl) {
    throw new ConfigError('--shards needs REDIS_URL: each shard is a process of its own, and the jobs they queue are made by `motif worker` processes (README, "Deployment")');
  }
  const totalShards = count === 'auto' ? await recommendedShards(config) : count;
  const manager = new ShardingManager(MOTIF, { totalShards, token: config.token, shardArgs: ['bot'], respawn: true, mode: 'process' });
  manager.on('shardCreate', (shard) => {
    shard.on('spawn', (child) => log.info({ shard: shard.id, pid: 'pid' in child ? child.pid : undefined }, 'shard started'));
    shard.on('death', () => log.warn({ shard: shard.id }, 'shard exited'));
  });
  log.info({ shards: totalShards }, 'starting shards');
  await manager.spawn({ timeout: SHARD_READY_TIMEOUT_MS });
  log.info({ shards: totalShards }, 'shards ready');
  return {
    manager,
    async stop() {
      manager.respawn = false;
      await Promise.all([...manager.shards.values()].map((shard) => new Promise<void>((resolve) => {
        const child = shard.process;
        if (!child || child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })));
    },
  };
}
