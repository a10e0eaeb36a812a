/**
 * Rows as both backends return them (SQLite and PostgreSQL hold the same columns, migrations.ts and
 * postgres-migrations.ts) and the records made from them. JSON columns are parsed with their schemas here, so a row
 * that does not fit is refused where it is read (stored-json.ts).
 */
import { replyTargetSchema, requestOptionsSchema, takeHeaderSchema, takeJobPayloadSchema, takeSamplingSchema } from './payloads.ts';
import { StoredDataError, readStoredJson } from './stored-json.ts';
import { decodeTokens } from './token-codec.ts';
import type { JobRecord, JobStatus, RequestRecord, TakeOrigin, TakeRecord, UnfinishedJobs } from './types.ts';

export interface RequestRow {
  id: number; user_id: string; guild_id: string | null; channel_id: string; prompt: string; options: string; created_at: number;
}

export interface TakeRow {
  id: number; request_id: number; take_index: number; origin: TakeOrigin; parent_take_id: number | null;
  instruction: string | null; prompt: string; seed: number; tokens: Buffer; model_id: string; header: string;
  channel_id: string | null; message_id: string | null; created_at: number; forced_tokens: number | null; sampling: string | null;
}

export interface JobRow {
  id: number; kind: string; user_id: string; guild_id: string | null; channel_id: string; request_id: number | null;
  payload: string; reply: string; status: JobStatus; attempts: number; error: string | null; created_at: number;
  started_at: number | null; finished_at: number | null;
}

/** What a finished job's reply becomes: the column stays NOT NULL, and the token in it is gone. */
export const FORGOTTEN_REPLY = '{}';

export function requestFromRow(row: RequestRow): RequestRecord {
  return {
    id: row.id, userId: row.user_id, guildId: row.guild_id, channelId: row.channel_id, prompt: row.prompt,
    options: readStoredJson(requestOptionsSchema, row.options, { table: 'requests', id: row.id, column: 'options' }),
    createdAt: row.created_at,
  };
}

export function takeFromRow(row: TakeRow): TakeRecord {
  return {
    id: row.id, requestId: row.request_id, index: row.take_index, origin: row.origin, parentTakeId: row.parent_take_id,
    instruction: row.instruction, prompt: row.prompt, seed: row.seed, tokens: decodeTokens(row.tokens), modelId: row.model_id,
    header: readStoredJson(takeHeaderSchema, row.header, { table: 'takes', id: row.id, column: 'header' }),
    forcedTokens: row.forced_tokens,
    sampling: row.sampling === null ? null : readStoredJson(takeSamplingSchema, row.sampling, { table: 'takes', id: row.id, column: 'sampling' }),
    channelId: row.channel_id, messageId: row.message_id, createdAt: row.created_at,
  };
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id, userId: row.user_id, guildId: row.guild_id, channelId: row.channel_id, requestId: row.request_id,
    payload: readStoredJson(takeJobPayloadSchema, row.payload, { table: 'jobs', id: row.id, column: 'payload' }),
    reply: row.reply === FORGOTTEN_REPLY ? null : readStoredJson(replyTargetSchema, row.reply, { table: 'jobs', id: row.id, column: 'reply' }),
    status: row.status, attempts: row.attempts, error: row.error, createdAt: row.created_at, startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Unfinished jobs from their rows. A row that cannot be read (StoredDataError) is set aside with what is wrong, for
 * the store to mark failed: one damaged row must not keep the bot from starting, nor stop the other jobs.
 */
export function unfinishedFromRows(rows: readonly JobRow[]): UnfinishedJobs {
  const found: UnfinishedJobs = { jobs: [], unreadable: [] };
  for (const row of rows) {
    try {
      found.jobs.push(jobFromRow(row));
    } catch (error) {
      if (!(error instanceof StoredDataError)) throw error;
      found.unreadable.push({ id: row.id, problem: error.message });
    }
  }
  return found;
}
