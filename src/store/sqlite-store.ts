/**
 * The store on SQLite (better-sqlite3): one file, created and migrated when opened. better-sqlite3 is synchronous;
 * the methods are async only to share the MotifStore interface with a server database.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';
import {
  FORGOTTEN_REPLY, jobFromRow, requestFromRow, takeFromRow, unfinishedFromRows, type JobRow, type RequestRow, type TakeRow,
} from './rows.ts';
import { encodeTokens } from './token-codec.ts';
import type {
  CastVote, JobRecord, MotifStore, NewJob, NewRequest, NewTake, ReplyTarget, RequestRecord, ScoredTake, StoreStats, TakeRecord,
  UnfinishedJobs, VoteTally, VoteValue,
} from './types.ts';

export class SqliteStore implements MotifStore {
  private readonly db: Database.Database;

  /** Opens (creating it and its folder when missing) and migrates the database at `file`; ':memory:' for a throwaway one. */
  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  /** The schema version this database is at. */
  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Runs the steps this database has not had, each in a transaction. Foreign keys are off meanwhile, as SQLite's
   * procedure for rebuilding a table asks (dropping the old table would otherwise cascade to the rows that point at
   * it); each step must leave every reference whole, checked before it commits.
   */
  private migrate(): void {
    if (this.version >= MIGRATIONS.length) return;
    this.db.pragma('foreign_keys = OFF');
    try {
      for (let step = this.version; step < MIGRATIONS.length; step++) {
        this.db.transaction(() => {
          this.db.exec(MIGRATIONS[step]);
          const broken = this.db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${step + 1} left ${broken.length} broken references`);
          this.db.pragma(`user_version = ${step + 1}`);
        })();
      }
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  async createRequest(request: NewRequest): Promise<RequestRecord> {
    const createdAt = Date.now();
    const { lastInsertRowid } = this.db.prepare(
      'INSERT INTO requests (user_id, guild_id, channel_id, prompt, options, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(request.userId, request.guildId, request.channelId, request.prompt, JSON.stringify(request.options), createdAt);
    return { ...request, id: Number(lastInsertRowid), createdAt };
  }

  async getRequest(id: number): Promise<RequestRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row && requestFromRow(row);
  }

  async addTake(take: NewTake): Promise<TakeRecord> {
    const createdAt = Date.now();
    const insert = this.db.transaction(() => {
      const { next } = this.db.prepare('SELECT COALESCE(MAX(take_index) + 1, 0) AS next FROM takes WHERE request_id = ?')
        .get(take.requestId) as { next: number };
      const { lastInsertRowid } = this.db.prepare(`
        INSERT INTO takes (request_id, take_index, origin, parent_take_id, instruction, prompt, seed, tokens, model_id, header,
          forced_tokens, sampling, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(take.requestId, next, take.origin, take.parentTakeId, take.instruction, take.prompt, take.seed,
        encodeTokens(take.tokens), take.modelId, JSON.stringify(take.header), take.forcedTokens ?? null,
        take.sampling ? JSON.stringify(take.sampling) : null, createdAt);
      return { id: Number(lastInsertRowid), index: next };
    });
    const { id, index } = insert();
    return {
      ...take, tokens: [...take.tokens], forcedTokens: take.forcedTokens ?? null, sampling: take.sampling ?? null, id, index,
      channelId: null, messageId: null, createdAt,
    };
  }

  async getTake(id: number): Promise<TakeRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM takes WHERE id = ?').get(id) as TakeRow | undefined;
    return row && takeFromRow(row);
  }

  async takeByMessage(messageId: string): Promise<TakeRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM takes WHERE message_id = ?').get(messageId) as TakeRow | undefined;
    return row && takeFromRow(row);
  }

  async takesOfRequest(requestId: number): Promise<TakeRecord[]> {
    const rows = this.db.prepare('SELECT * FROM takes WHERE request_id = ? ORDER BY take_index').all(requestId) as TakeRow[];
    return rows.map(takeFromRow);
  }

  async setTakeMessage(takeId: number, channelId: string, messageId: string): Promise<void> {
    this.db.prepare('UPDATE takes SET channel_id = ?, message_id = ? WHERE id = ?').run(channelId, messageId, takeId);
  }

  async postedTakes(limit: number): Promise<TakeRecord[]> {
    const rows = this.db.prepare('SELECT * FROM takes WHERE message_id IS NOT NULL ORDER BY id DESC LIMIT ?').all(limit) as TakeRow[];
    return rows.map(takeFromRow);
  }

  async deleteTake(id: number): Promise<void> {
    this.db.prepare('DELETE FROM takes WHERE id = ?').run(id);
  }

  async setVote(takeId: number, userId: string, value: VoteValue, emoji: string): Promise<void> {
    this.db.prepare(`
      INSERT INTO votes (take_id, user_id, value, emoji, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (take_id, user_id) DO UPDATE SET value = excluded.value, emoji = excluded.emoji, created_at = excluded.created_at`,
    ).run(takeId, userId, value, emoji, Date.now());
  }

  async removeVote(takeId: number, userId: string, emoji: string): Promise<boolean> {
    const { changes } = this.db.prepare('DELETE FROM votes WHERE take_id = ? AND user_id = ? AND emoji = ?').run(takeId, userId, emoji);
    return changes > 0;
  }

  async votesOnTake(takeId: number): Promise<CastVote[]> {
    return this.db.prepare('SELECT user_id AS userId, value, emoji FROM votes WHERE take_id = ? ORDER BY user_id').all(takeId) as CastVote[];
  }

  async clearVotes(takeId: number, emoji?: string): Promise<string[]> {
    const rows = emoji === undefined
      ? this.db.prepare('DELETE FROM votes WHERE take_id = ? RETURNING user_id').all(takeId)
      : this.db.prepare('DELETE FROM votes WHERE take_id = ? AND emoji = ? RETURNING user_id').all(takeId, emoji);
    return (rows as { user_id: string }[]).map((row) => row.user_id);
  }

  async votesOf(takeId: number): Promise<VoteTally> {
    return this.db.prepare(`
      SELECT COALESCE(SUM(value = 1), 0) AS up, COALESCE(SUM(value = -1), 0) AS down FROM votes WHERE take_id = ?`,
    ).get(takeId) as VoteTally;
  }

  async insertJob(job: NewJob): Promise<JobRecord> {
    const createdAt = Date.now();
    const { lastInsertRowid } = this.db.prepare(`
      INSERT INTO jobs (kind, user_id, guild_id, channel_id, request_id, payload, reply, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
    ).run(job.payload.kind, job.userId, job.guildId, job.channelId, job.requestId, JSON.stringify(job.payload), JSON.stringify(job.reply), createdAt);
    return { ...job, id: Number(lastInsertRowid), status: 'queued', attempts: 0, error: null, createdAt, startedAt: null, finishedAt: null };
  }

  async getJob(id: number): Promise<JobRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && jobFromRow(row);
  }

  async markJobStarted(id: number): Promise<JobRecord> {
    const row = this.db.prepare(`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ? WHERE id = ? RETURNING *`,
    ).get(Date.now(), id) as JobRow | undefined;
    if (!row) throw new Error(`job ${id} does not exist`);
    return jobFromRow(row);
  }

  async finishJob(id: number, status: 'done' | 'failed' | 'abandoned', error?: string): Promise<void> {
    // A finished job's reply may hold an interaction token: it is not kept past the job.
    this.db.prepare('UPDATE jobs SET status = ?, error = ?, finished_at = ?, reply = ? WHERE id = ?')
      .run(status, error ?? null, Date.now(), FORGOTTEN_REPLY, id);
  }

  async updateJobReply(id: number, reply: ReplyTarget): Promise<void> {
    this.db.prepare('UPDATE jobs SET reply = ? WHERE id = ?').run(JSON.stringify(reply), id);
  }

  async unfinishedJobs(): Promise<UnfinishedJobs> {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`).all() as JobRow[];
    const found = unfinishedFromRows(rows);
    const markFailed = this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`);
    for (const { id, problem } of found.unreadable) markFailed.run(problem, Date.now(), id);
    return found;
  }

  async stats(): Promise<StoreStats> {
    return this.db.prepare(`
      SELECT
        (SELECT COUNT(*) FROM requests) AS requests,
        (SELECT COUNT(*) FROM takes) AS takes,
        (SELECT COUNT(*) FROM takes WHERE origin = 'variation') AS variations,
        (SELECT COUNT(*) FROM votes WHERE value = 1) AS upVotes,
        (SELECT COUNT(*) FROM votes WHERE value = -1) AS downVotes,
        (SELECT COUNT(DISTINCT user_id) FROM votes) AS voters`,
    ).get() as StoreStats;
  }

  async votedTakes(): Promise<ScoredTake[]> {
    const rows = this.db.prepare(`
      SELECT takes.*, SUM(votes.value = 1) AS up, SUM(votes.value = -1) AS down
      FROM takes JOIN votes ON votes.take_id = takes.id
      GROUP BY takes.id ORDER BY takes.id`,
    ).all() as (TakeRow & VoteTally)[];
    return rows.map((row) => ({ ...takeFromRow(row), votes: { up: row.up, down: row.down } }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
