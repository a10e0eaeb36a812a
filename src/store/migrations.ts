/**
 * The SQLite schema, as numbered steps. `PRAGMA user_version` records how many have run; a new column or table is a
 * new step at the end, never an edit of an old one. PostgreSQL runs the same steps in its own dialect
 * (postgres-migrations.ts): a new step goes in both lists, and tests/store-schema.test.ts checks that the two lists
 * are as long and build the same tables, columns, keys and indexes.
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
  // Ids are never given twice. A rowid without AUTOINCREMENT is max(id) + 1, so deleting the newest take handed its
  // id, and the buttons under its message, to the next take. SQLite cannot add AUTOINCREMENT to a table: each table
  // is rebuilt as the same columns, copied, and renamed into place (with foreign keys off meanwhile, see
  // SqliteStore.migrate). PostgreSQL's identity columns never reuse an id: its step 3 is empty.
  `
  CREATE TABLE requests_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  INSERT INTO requests_new SELECT * FROM requests;
  DROP TABLE requests;
  ALTER TABLE requests_new RENAME TO requests;

  CREATE TABLE takes_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    forced_tokens INTEGER,
    sampling TEXT,
    UNIQUE (request_id, take_index)
  );
  INSERT INTO takes_new SELECT * FROM takes;
  DROP TABLE takes;
  ALTER TABLE takes_new RENAME TO takes;
  CREATE INDEX takes_parent ON takes(parent_take_id);

  CREATE TABLE jobs_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  INSERT INTO jobs_new SELECT * FROM jobs;
  DROP TABLE jobs;
  ALTER TABLE jobs_new RENAME TO jobs;
  CREATE INDEX jobs_unfinished ON jobs(status) WHERE status IN ('queued', 'running');
  `,
];
