/**
 * `motif export-preferences --out prefs.jsonl [--db FILE] [--model DIR] [--min-margin N]`: preference pairs from the
 * votes, one pair a line in the format of docs/PREFERENCES.md (motif-preference-v1). The votes are read from the
 * bot's store: the SQLite file --db names, else PostgreSQL where DATABASE_URL is set, else MOTIF_DB. The prompts are
 * encoded with the text tokenizer of the model in --model (default MOTIF_MODEL_DIR): the model DPO will start from.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config, loadDatabasePath, readDotenv } from '../config.ts';
import { openStore } from '../store/open-store.ts';
import { preferenceLines, votePairs } from '../store/preferences.ts';
import { InputError } from './input.ts';
import { promptEncoderOf } from './prompt-encoder.ts';

const USAGE = 'usage: motif export-preferences --out prefs.jsonl [--db FILE] [--model DIR] [--min-margin N]';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, db: { type: 'string' }, model: { type: 'string' }, 'min-margin': { type: 'string', default: '1' } },
  });
  if (!values.out) throw new InputError(USAGE);
  const minMargin = Number(values['min-margin']);
  if (!Number.isInteger(minMargin) || minMargin < 1) throw new InputError('--min-margin must be a whole number from 1 up');
  const databaseUrl = values.db ? undefined : process.env.DATABASE_URL || readDotenv(path.resolve('.env')).DATABASE_URL;
  const db = values.db ? path.resolve(values.db) : loadDatabasePath();
  if (!databaseUrl && !existsSync(db)) throw new InputError(`no database at ${db}: run the bot first, or name one with --db`);
  const text = await promptEncoderOf(values.model ?? config().modelDir);
  const store = await openStore({ databaseUrl, dbPath: db });
  try {
    const { pairs, unknownForced } = votePairs(await store.votedTakes(), text, minMargin);
    await mkdir(path.dirname(path.resolve(values.out)), { recursive: true });
    await writeFile(values.out, preferenceLines(pairs));
    const byKind = ['compose', 'variation', 'extension'].map((kind) => `${pairs.filter((pair) => pair.conditioning === kind).length} ${kind}`);
    console.log(`wrote ${pairs.length} preference pairs to ${values.out} (${byKind.join(', ')})`);
    if (unknownForced > 0) console.log(`left out ${unknownForced} voted takes stored before their forced prefix was recorded (older variations and extensions)`);
  } finally {
    await store.close();
  }
}
