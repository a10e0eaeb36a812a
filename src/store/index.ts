/** The store: requests, takes, votes and jobs behind one interface, on SQLite or PostgreSQL. */
export type * from './types.ts';
export { SqliteStore } from './sqlite-store.ts';
export { PostgresStore } from './postgres-store.ts';
export { openStore, type StoreLocation } from './open-store.ts';
export { PREFERENCE_FORMAT, preferenceLines, preferencePair, votePairs, type PairSide, type PreferencePair, type PromptEncoder } from './preferences.ts';
export { StoredDataError } from './stored-json.ts';
