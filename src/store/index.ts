/** The store: requests, takes, votes and jobs behind one interface (SQLite today). */
export type * from './types.ts';
export { SqliteStore } from './sqlite-store.ts';
export { PREFERENCE_FORMAT, preferenceLines, preferencePair, votePairs, type PairSide, type PreferencePair, type PromptEncoder } from './preferences.ts';
export { StoredDataError } from './stored-json.ts';
