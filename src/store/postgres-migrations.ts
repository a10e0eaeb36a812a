/**
 * The same schema steps as migrations.ts, in PostgreSQL's dialect: step N here builds what step N there builds
 * (tests/store-schema.test.ts compares the two databases column by column). The differences are the dialect's:
 * identity columns for ids, BIGINT where a value outgrows 32 bits (times in milliseconds, seeds up to 2^32 - 1),
 * BYTEA for the token blob. JSON stays TEXT, parsed by the same schemas as SQLite's (rows.ts).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE requests (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE takes (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    take_index INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('compose', 'regenerate', 'variation', 'extension')),
    parent_take_id INTEGER REFERENCES takes(id) ON DELETE SET NULL,
    instruction TEXT,
    prompt TEXT NOT NULL,
    seed BIGINT NOT NULL,
    tokens BYTEA NOT NULL,
    model_id TEXT NOT NULL,
    header TEXT NOT NULL,
    channel_id TEXT,
    message_id TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    UNIQUE (request_id, take_index)
  );
  CREATE INDEX takes_parent ON takes(parent_take_id);
  CREATE TABLE votes (
    take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    value SMALLINT NOT NULL CHECK (value IN (-1, 1)),
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (take_id, user_id)
  );
  CREATE TABLE jobs (
    id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT NOT NULL,
    request_id INTEGER REFERENCES requests(id) ON DELETE SET NULL,
    payload TEXT NOT NULL,
    reply TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'abandoned')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
  );
  CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running');
  `,
  `
  ALTER TABLE takes ADD COLUMN forced_tokens INTEGER;
  ALTER TABLE takes ADD COLUMN sampling TEXT;
  `,
  // SQLite's step 3 rebuilds its tables with AUTOINCREMENT so that ids are never given twice; identity columns
  // never reuse an id already.
  `
  SELECT 1;
  `,
];
