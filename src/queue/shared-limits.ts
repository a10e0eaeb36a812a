/**
 * The queue's limits, kept in Redis so that every process of the bot sees the same ones: jobs in flight per user, per
 * server and in all, and the cooldown between a user's requests. Each check-and-reserve is one Lua script, so two
 * processes cannot both take the last place; times are Redis's clock, so machines whose clocks differ agree.
 *
 * An entry is a ticket (a place reserved while the request is acknowledged) or a job (queued until it finishes).
 * Each lapses on its own after a while, so a process that dies holding one cannot shrink the limits for ever:
 * tickets after a minute, jobs after JOB_HOLD_MS (renewed when a worker starts the job).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../config.ts';
import { motifKeys, type TakeJobData } from './redis-keys.ts';
import type { Refusal } from './take-queue.ts';

const TICKET_HOLD_MS = 60_000;
/** Longer than any job waits and runs; only a job whose finish was never recorded gets this far. */
const JOB_HOLD_MS = 2 * 60 * 60_000;

// KEYS: the user's entries, the server's entries, everyone's entries, the user's cooldown.
// ARGV: entry, hold ms, per-user limit, per-server limit (0: no server, a DM), limit in all, cooldown ms.
const ADMIT = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {'user-limit', 0} end
local wait = redis.call('PTTL', KEYS[4])
if wait > 0 then return {'cooldown', wait} end
local perGuild = tonumber(ARGV[4])
if perGuild > 0 and redis.call('ZCARD', KEYS[2]) >= perGuild then return {'server-limit', 0} end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return {'busy', 0} end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
if perGuild > 0 then redis.call('ZADD', KEYS[2], expires, ARGV[1]) end
redis.call('ZADD', KEYS[3], expires, ARGV[1])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[4], '1', 'PX', ARGV[6]) end
return {'ok', 0}
`;

// KEYS: the user's, the server's and everyone's entries. ARGV: the entry to drop, the entry to add, hold ms.
const REPLACE = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[1])
  if ARGV[2] ~= '' then redis.call('ZADD', KEYS[i], now + tonumber(ARGV[3]), ARGV[2]) end
end
return 1
`;

export type Reservation = { ok: true; ticket: string } | { ok: false; refusal: Refusal };

const jobEntry = (jobId: number) => `job:${jobId}`;

export class SharedLimits {
  private readonly keys: ReturnType<typeof motifKeys>;

  constructor(private readonly redis: Redis, prefix: string, private readonly settings: QueueSettings) {
    this.keys = motifKeys(prefix);
  }

  private entryKeys(userId: string, guildId: string | null): string[] {
    return [this.keys.user(userId), ...(guildId ? [this.keys.guild(guildId)] : []), this.keys.everyone];
  }

  /** Reserves a place for the user's next job (a ticket), or says why there is none. */
  async admit(userId: string, guildId: string | null): Promise<Reservation> {
    const ticket = `ticket:${randomUUID()}`;
    const { perUserInFlight, perGuildInFlight, concurrency, maxWaiting, cooldownMs } = this.settings;
    const [reason, wait] = await this.redis.eval(ADMIT, 4,
      this.keys.user(userId), this.keys.guild(guildId ?? '-'), this.keys.everyone, this.keys.cooldown(userId),
      // In all: as many as the in-process queue takes (being made, then waiting), whatever the number of workers.
      ticket, TICKET_HOLD_MS, perUserInFlight, guildId ? perGuildInFlight : 0, concurrency + maxWaiting, Math.round(cooldownMs)) as [string, number];
    switch (reason) {
      case 'ok': return { ok: true, ticket };
      case 'user-limit': return { ok: false, refusal: { reason, limit: perUserInFlight } };
      case 'server-limit': return { ok: false, refusal: { reason, limit: perGuildInFlight } };
      case 'cooldown': return { ok: false, refusal: { reason, retryAfterMs: Number(wait) } };
      default: return { ok: false, refusal: { reason: 'busy' } };
    }
  }

  /** Gives a ticket's place back (the request was not acknowledged), and the cooldown it started. */
  async release(ticket: string, userId: string, guildId: string | null): Promise<void> {
    await this.redis.eval(REPLACE, guildId ? 3 : 2, ...this.entryKeys(userId, guildId), ticket, '', 0);
    // Admitted means the cooldown had run out before: without this request, there would be none now.
    await this.redis.del(this.keys.cooldown(userId));
  }

  /** The ticket becomes the job it was for, held until the job finishes. */
  async hold(ticket: string, job: TakeJobData): Promise<void> {
    await this.redis.eval(REPLACE, job.guildId ? 3 : 2, ...this.entryKeys(job.userId, job.guildId), ticket, jobEntry(job.jobId), JOB_HOLD_MS);
  }

  /** Renews a job's hold (a worker started it: it may have waited long). */
  async renew(job: TakeJobData): Promise<void> {
    await this.redis.eval(REPLACE, job.guildId ? 3 : 2, ...this.entryKeys(job.userId, job.guildId), jobEntry(job.jobId), jobEntry(job.jobId), JOB_HOLD_MS);
  }

  /** The job is over (done, failed or given up): its place is free. */
  async finish(job: TakeJobData): Promise<void> {
    await this.redis.eval(REPLACE, job.guildId ? 3 : 2, ...this.entryKeys(job.userId, job.guildId), jobEntry(job.jobId), '', 0);
  }
}
