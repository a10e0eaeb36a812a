/**
 * Names shared by the bot's side of the BullMQ queue (redis-queue.ts) and the workers' (redis-worker.ts): the
 * connection, the queue and job names, what a queued job carries, and Motif's own keys beside BullMQ's.
 */

/** BullMQ's queue of take jobs. */
export const QUEUE_NAME = 'takes';
/** Every key Motif and BullMQ write starts with this (another prefix lets two deployments share one Redis). */
export const DEFAULT_PREFIX = 'motif';

/** What a queued job carries: the store's job id (the store holds the rest) and who it counts against. */
export interface TakeJobData {
  jobId: number;
  userId: string;
  guildId: string | null;
}

/** BullMQ's id for a store job (BullMQ refuses ids that are plain integers). Adding a job twice adds it once. */
export function bullJobId(jobId: number): string {
  return `job-${jobId}`;
}

/** Where Redis is, as both ioredis and BullMQ take it. */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

/** Connection options from a redis:// or rediss:// URL (user, password, database number). */
export function redisOptions(url: string): RedisConnection {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('REDIS_URL must start with redis:// or rediss://');
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number(parsed.pathname.slice(1) || 0),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Motif's keys beside BullMQ's, under the same prefix. */
export function motifKeys(prefix: string) {
  const base = `${prefix}:${QUEUE_NAME}:motif`;
  return {
    /** Reservations and jobs in flight, per user, per server and in all (sorted sets scored by when they lapse). */
    user: (userId: string) => `${base}:user:${userId}`,
    guild: (guildId: string) => `${base}:guild:${guildId}`,
    everyone: `${base}:everyone`,
    /** Set for the cooldown after a user's accepted request. */
    cooldown: (userId: string) => `${base}:cooldown:${userId}`,
    /** Live workers and their concurrency (a hash of `concurrency:expiresAt`), for /stats. */
    workers: `${base}:workers`,
  };
}
