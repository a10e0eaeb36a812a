/**
 * `motif export-preferences --out prefs.jsonl [--db FILE] [--min-margin N]`: preference pairs from the votes, one
 * JSON object a line: {kind, prompt, instruction?, chosen, rejected, margin, chosenTake, rejectedTake, modelIds}.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDatabasePath } from '../config.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { preferencePairs } from '../store/preferences.ts';
import { InputError } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, db: { type: 'string' }, 'min-margin': { type: 'string', default: '1' } },
  });
  if (!values.out) throw new InputError('usage: motif export-preferences --out prefs.jsonl [--db FILE] [--min-margin N]');
  const minMargin = Number(values['min-margin']);
  if (!Number.isInteger(minMargin) || minMargin < 1) throw new InputError('--min-margin must be a whole number from 1 up');
  const db = values.db ? path.resolve(values.db) : loadDatabasePath();
  if (!existsSync(db)) throw new InputError(`no database at ${db}: run the bot first, or name one with --db`);
  const store = new SqliteStore(db);
  try {
    const pairs = preferencePairs(await store.votedTakes(), minMargin);
    await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await writeFile(values.out, pairs.map((pair) => `${JSON.stringify(pair)}\n`).join(''));
    const siblings = pairs.filter((pair) => pair.kind === 'siblings').length;
    console.log(`wrote ${pairs.length} preference pairs to ${values.out} (${siblings} between sibling takes, ${pairs.length - siblings} variation/parent)`);
  } finally {
    await store.close();
  }
}
