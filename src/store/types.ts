/**
 * What Motif remembers: requests, the takes made for them, votes on takes, and the jobs that make takes. The
 * interfaces are asynchronous so that a server database (Postgres) can implement them as well as SQLite does.
 */
import type { ScoreHeader } from '../tokens/tokenizer.ts';
import type { ReplyTarget, RequestOptions, TakeJobPayload, TakeSampling } from './payloads.ts';

export type { ComposeOptions, JobKind, ReplyTarget, RequestOptions, TakeJobPayload, TakeSampling } from './payloads.ts';

/** Where a take came from. */
export type TakeOrigin = 'compose' | 'regenerate' | 'variation' | 'extension';

export interface NewRequest {
  userId: string;
  guildId: string | null;
  channelId: string;
  prompt: string;
  /** The request's options (bpm, key, bars, ...) as given, for regenerating later. */
  options: RequestOptions;
}

export interface RequestRecord extends NewRequest {
  id: number;
  createdAt: number;
}

export interface NewTake {
  requestId: number;
  origin: TakeOrigin;
  /** The take this one varies or extends; null for a fresh take. */
  parentTakeId: number | null;
  /** What the user asked to change (variations). */
  instruction: string | null;
  /** The text the model was conditioned on. */
  prompt: string;
  seed: number;
  tokens: readonly number[];
  modelId: string;
  /** bpm, key, meter, instruments, bars: what the take turned out to be. */
  header: ScoreHeader;
  /**
   * Leading tokens the engine decided rather than the model's free choice: the header and, for a variation or an
   * extension, the kept part of its parent. A preference never trains on them (docs/PREFERENCES.md).
   */
  forcedTokens?: number | null;
  /** The sampling the take was composed with. */
  sampling?: TakeSampling | null;
}

export interface TakeRecord extends NewTake {
  /** Null for takes stored before it was recorded. */
  forcedTokens: number | null;
  sampling: TakeSampling | null;
  id: number;
  /** Zero-based order among the takes of its request. */
  index: number;
  channelId: string | null;
  messageId: string | null;
  createdAt: number;
}

export type VoteValue = 1 | -1;

export interface CastVote {
  userId: string;
  value: VoteValue;
  /** The emoji it was cast with (a unicode emoji without skin tone, or a custom emoji's id). */
  emoji: string;
}

export interface VoteTally {
  up: number;
  down: number;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'abandoned';

export interface NewJob {
  userId: string;
  guildId: string | null;
  channelId: string;
  requestId: number | null;
  /** What the job needs to run, for its worker; its kind is the job's. */
  payload: TakeJobPayload;
  /** Where its messages go; may change while it runs. */
  reply: ReplyTarget;
}

export interface JobRecord extends Omit<NewJob, 'reply'> {
  id: number;
  /** Where its messages go; null once the job finished (the reply may hold an interaction token, not kept past the job). */
  reply: ReplyTarget | null;
  status: JobStatus;
  /** Times a worker started it; more than one means it was cut off by a restart. */
  attempts: number;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RequestStore {
  createRequest(request: NewRequest): Promise<RequestRecord>;
  getRequest(id: number): Promise<RequestRecord | undefined>;
}

export interface TakeStore {
  addTake(take: NewTake): Promise<TakeRecord>;
  getTake(id: number): Promise<TakeRecord | undefined>;
  takeByMessage(messageId: string): Promise<TakeRecord | undefined>;
  takesOfRequest(requestId: number): Promise<TakeRecord[]>;
  setTakeMessage(takeId: number, channelId: string, messageId: string): Promise<void>;
  /** The `limit` takes posted last (those with a message), newest first. */
  postedTakes(limit: number): Promise<TakeRecord[]>;
  /** Forgets a take and its votes; its variations keep their own data and lose the link. */
  deleteTake(id: number): Promise<void>;
}

export interface VoteStore {
  /** One vote per user per take: a later vote replaces an earlier one. */
  setVote(takeId: number, userId: string, value: VoteValue, emoji: string): Promise<void>;
  /** Removes the user's vote if it was cast with this emoji (removing an older, replaced reaction changes nothing). */
  removeVote(takeId: number, userId: string, emoji: string): Promise<boolean>;
  votesOf(takeId: number): Promise<VoteTally>;
  /** Each person's vote on a take. */
  votesOnTake(takeId: number): Promise<CastVote[]>;
  /**
   * Removes the votes on a take (all, or those cast with `emoji`) when Discord no longer shows their reactions (a
   * moderator cleared them, the message was deleted); returns whose votes went.
   */
  clearVotes(takeId: number, emoji?: string): Promise<string[]>;
}

/** A job row the store could not read back (StoredDataError): which row, and what is wrong with it. */
export interface UnreadableJob {
  id: number;
  problem: string;
}

export interface UnfinishedJobs {
  jobs: JobRecord[];
  /** Rows found unfinished that could not be read; the store has marked them failed. */
  unreadable: UnreadableJob[];
}

export interface JobStore {
  insertJob(job: NewJob): Promise<JobRecord>;
  getJob(id: number): Promise<JobRecord | undefined>;
  markJobStarted(id: number): Promise<JobRecord>;
  finishJob(id: number, status: 'done' | 'failed' | 'abandoned', error?: string): Promise<void>;
  updateJobReply(id: number, reply: ReplyTarget): Promise<void>;
  /**
   * Jobs queued or running, oldest first: after a restart these were cut off. A row that cannot be read is marked
   * failed (its problem as the error, its payload and reply kept for a person to look at) and listed as unreadable.
   */
  unfinishedJobs(): Promise<UnfinishedJobs>;
}

export interface StoreStats {
  requests: number;
  takes: number;
  variations: number;
  upVotes: number;
  downVotes: number;
  voters: number;
}

/** A take with its votes, for preference export. */
export interface ScoredTake extends TakeRecord {
  votes: VoteTally;
}

export interface MotifStore extends RequestStore, TakeStore, VoteStore, JobStore {
  stats(): Promise<StoreStats>;
  /** Every take with at least one vote, with its tally. */
  votedTakes(): Promise<ScoredTake[]>;
  close(): Promise<void>;
}
