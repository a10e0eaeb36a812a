/**
 * The SQLite schema, as numbered steps. `PRAGMA user_version` records how many have run; a new column or table is a
 * new step at the end, never an edit of an old one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE takes (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    take_index INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('compose', 'regenerate', 'variation', 'extension')),
    parent_take_id INTEGER REFERENCES takes(id) ON DELETE SET NULL,
    instruction TEXT,
    prompt TEXT NOT NULL,
    seed INTEGER NOT NULL,
    tokens BLOB NOT NULL,
    model_id TEXT NOT NULL,
    header TEXT NOT NULL,
    channel_id TEXT,
    message_id TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    UNIQUE (request_id, take_index)
  );
  CREATE INDEX takes_parent ON takes(parent_take_id);
  CREATE TABLE votes (
    take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (take_id, user_id)
  );
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
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
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running');
  `,
  // What a preference pair needs beyond the tokens (docs/PREFERENCES.md): how many leading tokens the engine forced
  // (header and kept prefix: never a preference to learn) and the sampling settings. Rows stored before stay NULL,
  // and the export works out what it can for them. Plain ADD COLUMN, which PostgreSQL reads the same way.
  `
  ALTER TABLE takes ADD COLUMN forced_tokens INTEGER;
  ALTER TABLE takes ADD COLUMN sampling TEXT;
  `,
];
