/**
 * The store on PostgreSQL (node-postgres), for more than one process: the bot's shards and the workers share it. The
 * same tables and columns as SQLite (postgres-migrations.ts), the same records (rows.ts). Several processes may start
 * at once: migrating takes a lock, and a take's place among its request's takes is chosen with the request locked.
 */
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import {
  FORGOTTEN_REPLY, jobFromRow, requestFromRow, takeFromRow, unfinishedFromRows, type JobRow, type RequestRow, type TakeRow,
} from './rows.ts';
import { encodeTokens } from './token-codec.ts';
import type {
  CastVote, JobRecord, MotifStore, NewJob, NewRequest, NewTake, ReplyTarget, RequestRecord, ScoredTake, StoreStats, TakeRecord,
  UnfinishedJobs, VoteTally, VoteValue,
} from './types.ts';

/** Any number that names the lock the migrating process holds (pg_advisory_xact_lock). */
const MIGRATION_LOCK = 0x6d6f7469; // "moti"

/**
 * BIGINT columns (times in milliseconds, seeds) and COUNT(*) come back as strings by default, for values past 2^53;
 * Motif's are far below it, and the records hold numbers, as SQLite's do.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format ?? 'text'))) as typeof pg.types.getTypeParser,
};

export class PostgresStore implements MotifStore {
  private constructor(private readonly pool: pg.Pool) {}

  /** Connects to `url` (postgres://...) and brings the schema up to date. */
  static async open(url: string, options: { maxConnections?: number } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, types: TYPES, max: options.maxConnections ?? 10 });
    // An idle connection that the server drops (a restart) is discarded by the pool; without a listener it would throw.
    pool.on('error', () => {});
    const store = new PostgresStore(pool);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  /** The schema version this database is at. */
  async version(): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>('SELECT version FROM motif_schema');
    return rows[0]?.version ?? 0;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // One process migrates; the others wait here, then find nothing left to do.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS motif_schema (version INTEGER NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM motif_schema');
      if (rows.length === 0) await client.query('INSERT INTO motif_schema (version) VALUES (0)');
      for (let step = rows[0]?.version ?? 0; step < POSTGRES_MIGRATIONS.length; step++) {
        await client.query(POSTGRES_MIGRATIONS[step]);
        await client.query('UPDATE motif_schema SET version = $1', [step + 1]);
      }
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async one<Row extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<Row | undefined> {
    return (await this.pool.query<Row>(sql, values)).rows[0];
  }

  async createRequest(request: NewRequest): Promise<RequestRecord> {
    const createdAt = Date.now();
    const row = await this.one<{ id: number }>(
      'INSERT INTO requests (user_id, guild_id, channel_id, prompt, options, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [request.userId, request.guildId, request.channelId, request.prompt, JSON.stringify(request.options), createdAt],
    );
    return { ...request, id: row!.id, createdAt };
  }

  async getRequest(id: number): Promise<RequestRecord | undefined> {
    const row = await this.one<RequestRow>('SELECT * FROM requests WHERE id = $1', [id]);
    return row && requestFromRow(row);
  }

  async addTake(take: NewTake): Promise<TakeRecord> {
    const createdAt = Date.now();
    const { id, index } = await this.transaction(async (client) => {
      // Two workers may add takes to one request at once (two Regenerate clicks): the request's lock orders them.
      await client.query('SELECT 1 FROM requests WHERE id = $1 FOR UPDATE', [take.requestId]);
      const { rows: [{ next }] } = await client.query<{ next: number }>(
        'SELECT COALESCE(MAX(take_index) + 1, 0) AS next FROM takes WHERE request_id = $1', [take.requestId],
      );
      const { rows: [inserted] } = await client.query<{ id: number }>(`
        INSERT INTO takes (request_id, take_index, origin, parent_take_id, instruction, prompt, seed, tokens, model_id, header,
          forced_tokens, sampling, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [take.requestId, next, take.origin, take.parentTakeId, take.instruction, take.prompt, take.seed, encodeTokens(take.tokens),
        take.modelId, JSON.stringify(take.header), take.forcedTokens ?? null, take.sampling ? JSON.stringify(take.sampling) : null,
        createdAt]);
      return { id: inserted.id, index: next };
    });
    return {
      ...take, tokens: [...take.tokens], forcedTokens: take.forcedTokens ?? null, sampling: take.sampling ?? null, id, index,
      channelId: null, messageId: null, createdAt,
    };
  }

  async getTake(id: number): Promise<TakeRecord | undefined> {
    const row = await this.one<TakeRow>('SELECT * FROM takes WHERE id = $1', [id]);
    return row && takeFromRow(row);
  }

  async takeByMessage(messageId: string): Promise<TakeRecord | undefined> {
    const row = await this.one<TakeRow>('SELECT * FROM takes WHERE message_id = $1', [messageId]);
    return row && takeFromRow(row);
  }

  async takesOfRequest(requestId: number): Promise<TakeRecord[]> {
    const { rows } = await this.pool.query<TakeRow>('SELECT * FROM takes WHERE request_id = $1 ORDER BY take_index', [requestId]);
    return rows.map(takeFromRow);
  }

  async setTakeMessage(takeId: number, channelId: string, messageId: string): Promise<void> {
    await this.pool.query('UPDATE takes SET channel_id = $1, message_id = $2 WHERE id = $3', [channelId, messageId, takeId]);
  }

  async postedTakes(limit: number): Promise<TakeRecord[]> {
    const { rows } = await this.pool.query<TakeRow>('SELECT * FROM takes WHERE message_id IS NOT NULL ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map(takeFromRow);
  }

  async deleteTake(id: number): Promise<void> {
    await this.pool.query('DELETE FROM takes WHERE id = $1', [id]);
  }

  async setVote(takeId: number, userId: string, value: VoteValue, emoji: string): Promise<void> {
    await this.pool.query(`
      INSERT INTO votes (take_id, user_id, value, emoji, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (take_id, user_id) DO UPDATE SET value = excluded.value, emoji = excluded.emoji, created_at = excluded.created_at`,
    [takeId, userId, value, emoji, Date.now()]);
  }

  async removeVote(takeId: number, userId: string, emoji: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM votes WHERE take_id = $1 AND user_id = $2 AND emoji = $3', [takeId, userId, emoji]);
    return (rowCount ?? 0) > 0;
  }

  async votesOnTake(takeId: number): Promise<CastVote[]> {
    const { rows } = await this.pool.query<CastVote>('SELECT user_id AS "userId", value, emoji FROM votes WHERE take_id = $1 ORDER BY user_id', [takeId]);
    return rows;
  }

  async clearVotes(takeId: number, emoji?: string): Promise<string[]> {
    const { rows } = emoji === undefined
      ? await this.pool.query<{ user_id: string }>('DELETE FROM votes WHERE take_id = $1 RETURNING user_id', [takeId])
      : await this.pool.query<{ user_id: string }>('DELETE FROM votes WHERE take_id = $1 AND emoji = $2 RETURNING user_id', [takeId, emoji]);
    return rows.map((row) => row.user_id);
  }

  async votesOf(takeId: number): Promise<VoteTally> {
    const row = await this.one<VoteTally>(`
      SELECT COUNT(*) FILTER (WHERE value = 1) AS up, COUNT(*) FILTER (WHERE value = -1) AS down FROM votes WHERE take_id = $1`,
    [takeId]);
    return { up: row!.up, down: row!.down };
  }

  async insertJob(job: NewJob): Promise<JobRecord> {
    const createdAt = Date.now();
    const row = await this.one<{ id: number }>(`
      INSERT INTO jobs (kind, user_id, guild_id, channel_id, request_id, payload, reply, status, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8) RETURNING id`,
    [job.payload.kind, job.userId, job.guildId, job.channelId, job.requestId, JSON.stringify(job.payload), JSON.stringify(job.reply), createdAt]);
    return { ...job, id: row!.id, status: 'queued', attempts: 0, error: null, createdAt, startedAt: null, finishedAt: null };
  }

  async getJob(id: number): Promise<JobRecord | undefined> {
    const row = await this.one<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
    return row && jobFromRow(row);
  }

  async markJobStarted(id: number): Promise<JobRecord> {
    const row = await this.one<JobRow>(`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = $1 WHERE id = $2 RETURNING *`, [Date.now(), id]);
    if (!row) throw new Error(`job ${id} does not exist`);
    return jobFromRow(row);
  }

  async finishJob(id: number, status: 'done' | 'failed' | 'abandoned', error?: string): Promise<void> {
    // A finished job's reply may hold an interaction token: it is not kept past the job.
    await this.pool.query('UPDATE jobs SET status = $1, error = $2, finished_at = $3, reply = $4 WHERE id = $5',
      [status, error ?? null, Date.now(), FORGOTTEN_REPLY, id]);
  }

  async updateJobReply(id: number, reply: ReplyTarget): Promise<void> {
    await this.pool.query('UPDATE jobs SET reply = $1 WHERE id = $2', [JSON.stringify(reply), id]);
  }

  async unfinishedJobs(): Promise<UnfinishedJobs> {
    const { rows } = await this.pool.query<JobRow>(`SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`);
    const found = unfinishedFromRows(rows);
    for (const { id, problem } of found.unreadable) {
      await this.pool.query(`UPDATE jobs SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3`, [problem, Date.now(), id]);
    }
    return found;
  }

  async stats(): Promise<StoreStats> {
    const row = await this.one<StoreStats>(`
      SELECT
        (SELECT COUNT(*) FROM requests) AS "requests",
        (SELECT COUNT(*) FROM takes) AS "takes",
        (SELECT COUNT(*) FROM takes WHERE origin = 'variation') AS "variations",
        (SELECT COUNT(*) FROM votes WHERE value = 1) AS "upVotes",
        (SELECT COUNT(*) FROM votes WHERE value = -1) AS "downVotes",
        (SELECT COUNT(DISTINCT user_id) FROM votes) AS "voters"`, []);
    return { ...row! };
  }

  async votedTakes(): Promise<ScoredTake[]> {
    const { rows } = await this.pool.query<TakeRow & VoteTally>(`
      SELECT takes.*, COUNT(*) FILTER (WHERE votes.value = 1) AS up, COUNT(*) FILTER (WHERE votes.value = -1) AS down
      FROM takes JOIN votes ON votes.take_id = takes.id
      GROUP BY takes.id ORDER BY takes.id`);
    return rows.map((row) => ({ ...takeFromRow(row), votes: { up: row.up, down: row.down } }));
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
