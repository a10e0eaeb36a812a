/**
 * Motif's configuration, in one validated place: environment variables, then a `.env` file in the working folder for
 * the ones the environment leaves unset. Every setting has a default that works on a laptop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const envSchema = z.object({
  MOTIF_DATA: z.string().min(1).default('../shared/data'),
  MOTIF_MODEL_DIR: z.string().min(1).default('models'),
  MOTIF_DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
  /** Threads for one ONNX Runtime operator; more than the cores only adds contention. */
  MOTIF_THREADS: positiveInt(Math.min(4, availableParallelism()), 256),
  MOTIF_MAX_BATCH: positiveInt(8, 64),
  MOTIF_MAX_TOKENS: positiveInt(6144, 100_000),
  MOTIF_REQUEST_TIMEOUT_S: positiveInt(180, 3600),
  /** Unset: the model's manifest recommends one, else DEFAULT_GUIDANCE (src/inference/engine.ts). */
  MOTIF_GUIDANCE: z.coerce.number().min(0).max(20).optional(),
  MOTIF_TEMPERATURE: z.coerce.number().min(0).max(5).default(1),
  /** 0 turns top-k off. */
  MOTIF_TOP_K: z.coerce.number().int().min(0).max(1000).default(0),
  MOTIF_TOP_P: z.coerce.number().gt(0).max(1).default(0.95),
  /** Strength of the key prior on pitches (src/inference/key-prior.ts); 0 turns it off. */
  MOTIF_KEY_PRIOR: z.coerce.number().min(0).max(5).default(1),
  /** Longest piece the model may choose when a request states no length (a piece composed in form has this length). */
  MOTIF_DEFAULT_MAX_BARS: positiveInt(16, 64),
  /** `off` writes every piece in one pass instead of in sections that repeat (src/inference/form.ts). */
  MOTIF_FORM: z.enum(['on', 'off']).default('on'),
});

export interface SamplingDefaults {
  /** Undefined: the model's recommendation (manifest `sampling.guidance`), else 3. */
  guidance: number | undefined;
  temperature: number;
  topK: number;
  topP: number;
  keyPrior: number;
}

export interface MotifConfig {
  dataDir: string;
  modelDir: string;
  device: 'cpu' | 'cuda';
  threads: number;
  maxBatch: number;
  maxTokens: number;
  requestTimeoutMs: number;
  sampling: SamplingDefaults;
  defaultMaxBars: number;
  /** Compose in form (MOTIF_FORM). */
  form: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Values from a `.env` file; a missing file is no error. */
export function readDotenv(file: string): Record<string, string> {
  return existsSync(file) ? parseDotenv(readFileSync(file)) : {};
}

/** The configuration from `env` (default: process.env) over the `.env` file; throws a ConfigError naming bad values. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvFile = path.resolve('.env')): MotifConfig {
  const merged: Record<string, string | undefined> = { ...readDotenv(dotenvFile) };
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[name] = value;
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    dataDir: path.resolve(values.MOTIF_DATA),
    modelDir: path.resolve(values.MOTIF_MODEL_DIR),
    device: values.MOTIF_DEVICE,
    threads: values.MOTIF_THREADS,
    maxBatch: values.MOTIF_MAX_BATCH,
    maxTokens: values.MOTIF_MAX_TOKENS,
    requestTimeoutMs: values.MOTIF_REQUEST_TIMEOUT_S * 1000,
    sampling: {
      guidance: values.MOTIF_GUIDANCE,
      temperature: values.MOTIF_TEMPERATURE,
      topK: values.MOTIF_TOP_K,
      topP: values.MOTIF_TOP_P,
      keyPrior: values.MOTIF_KEY_PRIOR,
    },
    defaultMaxBars: values.MOTIF_DEFAULT_MAX_BARS,
    form: values.MOTIF_FORM === 'on',
  };
}

let cached: MotifConfig | undefined;

/** The process's configuration, read once. */
export function config(): MotifConfig {
  cached ??= loadConfig();
  return cached;
}

// ---- the Discord bot -------------------------------------------------------------------------------------------

const flag = (fallback: boolean) => z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .default(fallback ? 'true' : 'false').transform((value) => value === 'true' || value === '1' || value === 'yes');

const botEnvSchema = z.object({
  // Custom messages: zod must never echo the token back into an error, which could reach a log.
  DISCORD_TOKEN: z.string({ error: 'is not set: copy .env.example to .env and paste the bot token from the Discord developer portal' })
    .regex(/^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/, { error: 'does not look like a bot token (three dot-separated parts)' }),
  DISCORD_APPLICATION_ID: z.string({ error: 'is not set: it is the Application ID on the developer portal\'s General Information page' })
    .regex(/^\d{17,20}$/, { error: 'must be the application\'s numeric ID (17-20 digits)' }),
  MOTIF_DB: z.string().min(1).default('data/motif.db'),
  MOTIF_MESSAGE_CONTENT: flag(false),
  MOTIF_VOTE_EMOJIS: z.string().default('👍,👎').transform((text) => text.split(',').map((emoji) => emoji.trim()))
    .refine((emojis) => emojis.length === 2 && emojis.every((emoji) => emoji !== '') && emojis[0] !== emojis[1], {
      error: 'must be two different emoji separated by a comma: the up vote, then the down vote',
    }),
  MOTIF_TAKES: positiveInt(2, 4),
  // A MIDI file of a few minutes is tens of kilobytes; 1 MiB leaves room for dense ones and bounds a hostile upload.
  MOTIF_MAX_UPLOAD_BYTES: positiveInt(1024 * 1024, 8 * 1024 * 1024),
  MOTIF_QUEUE_CONCURRENCY: positiveInt(2, 32),
  MOTIF_QUEUE_MAX: positiveInt(25, 10_000),
  MOTIF_USER_MAX_JOBS: positiveInt(2, 100),
  MOTIF_USER_COOLDOWN_S: z.coerce.number().min(0).max(3600).default(10),
  MOTIF_GUILD_MAX_JOBS: positiveInt(10, 10_000),
  MOTIF_JOB_ATTEMPTS: positiveInt(2, 10),
  MOTIF_JOB_LOCK_S: positiveInt(30, 600),
  MOTIF_SOUNDFONT: z.string().min(1).optional(),
  // Server addresses may hold a password: their messages never repeat the value.
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { error: 'must be a PostgreSQL URL (postgres://user:password@host:5432/database)' }).optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must be a Redis URL (redis://host:6379)' }).optional(),
  MOTIF_REDIS_PREFIX: z.string().regex(/^[\w-]+$/, { error: 'must be letters, digits, - or _' }).default('motif'),
  DISCORD_API_URL: z.url({ error: 'must be a URL (a REST proxy in front of https://discord.com/api)' }).optional(),
  MOTIF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface QueueSettings {
  /** Jobs worked on at once. */
  concurrency: number;
  /** Jobs waiting beyond those; past it a request is turned away ("busy"). */
  maxWaiting: number;
  /** Jobs one user may have waiting or running. */
  perUserInFlight: number;
  /** Time between two accepted requests of one user. */
  cooldownMs: number;
  /** Jobs one server may have waiting or running (BullMQ: one server cannot fill the fleet's queue). */
  perGuildInFlight: number;
  /** Times a job that fails is tried, with backoff (BullMQ); a job cut off by a restart or a dead worker is tried twice. */
  attempts: number;
  /** How long a worker's hold on a job lasts unrenewed: a worker that dies loses its jobs to the others after this (BullMQ). */
  lockMs: number;
}

export interface BotConfig {
  token: string;
  applicationId: string;
  dbPath: string;
  /** The privileged Message Content intent is enabled for the app: any reply to a take asks for a variation. */
  messageContent: boolean;
  /** [up, down] */
  voteEmojis: [string, string];
  takes: number;
  /** The largest MIDI file /continue and /restyle download (MOTIF_MAX_UPLOAD_BYTES), checked before and during the download. */
  maxUploadBytes: number;
  queue: QueueSettings;
  logLevel: string;
  /** The SoundFont the takes are rendered with (a bundled name or a path); undefined: the default. */
  soundfont?: string;
  /** PostgreSQL (DATABASE_URL): the store shared by the bot's processes and the workers; undefined: SQLite at dbPath. */
  databaseUrl?: string;
  /** Redis (REDIS_URL): jobs go to BullMQ and `motif worker` makes them; undefined: the bot makes them in process. */
  redisUrl?: string;
  /** Every Redis key starts with it (MOTIF_REDIS_PREFIX): two deployments can share one Redis. */
  redisPrefix: string;
  /** Another Discord REST API base (DISCORD_API_URL): a REST proxy, or the tests' emulator. */
  discordApi?: string;
}

/** The bot's settings; throws a ConfigError that names each bad variable and never includes its value. */
export function loadBotConfig(env: NodeJS.ProcessEnv = process.env, dotenvFile = path.resolve('.env')): BotConfig {
  const merged: Record<string, string | undefined> = {};
  // An empty line in .env (`DISCORD_TOKEN=`) means not set.
  for (const source of [readDotenv(dotenvFile), env]) {
    for (const [name, value] of Object.entries(source)) if (value !== undefined && value !== '') merged[name] = value;
  }
  const parsed = botEnvSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    token: values.DISCORD_TOKEN,
    applicationId: values.DISCORD_APPLICATION_ID,
    dbPath: path.resolve(values.MOTIF_DB),
    messageContent: values.MOTIF_MESSAGE_CONTENT,
    voteEmojis: [values.MOTIF_VOTE_EMOJIS[0], values.MOTIF_VOTE_EMOJIS[1]],
    takes: values.MOTIF_TAKES,
    maxUploadBytes: values.MOTIF_MAX_UPLOAD_BYTES,
    queue: {
      concurrency: values.MOTIF_QUEUE_CONCURRENCY,
      maxWaiting: values.MOTIF_QUEUE_MAX,
      perUserInFlight: values.MOTIF_USER_MAX_JOBS,
      cooldownMs: values.MOTIF_USER_COOLDOWN_S * 1000,
      perGuildInFlight: values.MOTIF_GUILD_MAX_JOBS,
      attempts: values.MOTIF_JOB_ATTEMPTS,
      lockMs: values.MOTIF_JOB_LOCK_S * 1000,
    },
    logLevel: values.MOTIF_LOG_LEVEL,
    soundfont: values.MOTIF_SOUNDFONT,
    databaseUrl: values.DATABASE_URL,
    redisUrl: values.REDIS_URL,
    redisPrefix: values.MOTIF_REDIS_PREFIX,
    discordApi: values.DISCORD_API_URL,
  };
}

/** Where the bot's database is (MOTIF_DB), for commands that read it without connecting to Discord. */
export function loadDatabasePath(env: NodeJS.ProcessEnv = process.env, dotenvFile = path.resolve('.env')): string {
  const stated = env.MOTIF_DB || readDotenv(dotenvFile).MOTIF_DB;
  return path.resolve(stated || 'data/motif.db');
}
