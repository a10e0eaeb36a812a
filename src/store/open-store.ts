/** The store a process uses: PostgreSQL when DATABASE_URL names one (several processes share it), else the SQLite file. */
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { MotifStore } from './types.ts';

export interface StoreLocation {
  /** postgres://... (DATABASE_URL); unset for the embedded default. */
  databaseUrl?: string;
  /** The SQLite file (MOTIF_DB), used when there is no databaseUrl. */
  dbPath: string;
}

/** Opens the store, creating and migrating its schema when needed. */
export async function openStore(where: StoreLocation): Promise<MotifStore> {
  return where.databaseUrl ? PostgresStore.open(where.databaseUrl) : new SqliteStore(where.dbPath);
}
