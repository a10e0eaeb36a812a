/**
 * The two backends' schemas agree: migrations.ts (SQLite) and postgres-migrations.ts (PostgreSQL) have as many steps,
 * and after them both databases hold the same tables with the same columns in the same order, the same kinds of
 * value, the same NOT NULLs and defaults, keys, references with their ON DELETE, unique constraints, indexes and the
 * values each CHECK allows. A migration added to one list and not the other fails here.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-migrations.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { scratchDatabase, withoutPostgres, type ScratchDatabase } from './helpers/servers.ts';

interface Column { name: string; kind: string; notNull: boolean; default: string | null }
interface Reference { from: string; table: string; to: string; onDelete: string }
interface Index { columns: string[]; unique: boolean; partial: boolean; name?: string }
interface Table { columns: Column[]; primaryKey: string[]; references: Reference[]; indexes: Index[]; checks: Record<string, string[]> }
type Schema = Record<string, Table>;

/** The kind of value a column holds, whatever each dialect calls it. */
function kindOf(type: string): string {
  const lower = type.toLowerCase();
  if (['integer', 'bigint', 'smallint'].includes(lower)) return 'integer';
  if (['blob', 'bytea'].includes(lower)) return 'bytes';
  if (lower === 'text') return 'text';
  throw new Error(`a column type the comparison does not know: ${type}`);
}

const ON_DELETE: Record<string, string> = { c: 'CASCADE', n: 'SET NULL', a: 'NO ACTION', r: 'RESTRICT', d: 'SET DEFAULT' };
const sortIndexes = (indexes: Index[]) => indexes.sort((a, b) => a.columns.join().localeCompare(b.columns.join()) || Number(a.unique) - Number(b.unique));

function sqliteSchema(file: string): Schema {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; sql: string }[];
    const schema: Schema = {};
    for (const { name, sql } of tables) {
      const info = db.pragma(`table_info(${name})`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const indexes = (db.pragma(`index_list(${name})`) as { name: string; unique: number; origin: string; partial: number }[])
        .filter((index) => index.origin !== 'pk')
        .map((index) => ({
          columns: (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((column) => column.name),
          unique: index.unique === 1, partial: index.partial === 1, ...(index.origin === 'c' ? { name: index.name } : {}),
        }));
      const checks: Record<string, string[]> = {};
      for (const [, column, values] of sql.matchAll(/CHECK \((\w+) IN \(([^)]*)\)\)/g)) {
        checks[column] = values.split(',').map((value) => value.trim().replace(/^'|'$/g, '')).sort();
      }
      schema[name] = {
        // An INTEGER PRIMARY KEY is the rowid: never null, though table_info does not say so.
        columns: info.map((column) => ({ name: column.name, kind: kindOf(column.type), notNull: column.notnull === 1 || column.pk > 0, default: column.dflt_value })),
        primaryKey: info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name),
        references: (db.pragma(`foreign_key_list(${name})`) as { table: string; from: string; to: string; on_delete: string }[])
          .map((reference) => ({ from: reference.from, table: reference.table, to: reference.to, onDelete: reference.on_delete }))
          .sort((a, b) => a.from.localeCompare(b.from)),
        indexes: sortIndexes(indexes),
        checks,
      };
    }
    return schema;
  } finally {
    db.close();
  }
}

async function postgresSchema(url: string): Promise<Schema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = (await client.query<{ table: string; name: string; type: string; nullable: string; default: string | null; identity: string }>(`
      SELECT table_name AS table, column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS default, is_identity AS identity
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'motif_schema' ORDER BY table_name, ordinal_position`)).rows;
    const keys = (await client.query<{ table: string; columns: string[]; kind: string; definition: string; from: string | null; to_table: string | null; to: string | null; on_delete: string }>(`
      SELECT cl.relname AS table, c.contype AS kind, pg_get_constraintdef(c.oid) AS definition, c.confdeltype AS on_delete,
        array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY n)::text[] AS columns,
        rt.relname AS to_table, ra.attname AS to
      FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace ns ON ns.oid = cl.relnamespace
      LEFT JOIN pg_class rt ON rt.oid = c.confrelid
      LEFT JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
      WHERE ns.nspname = 'public' AND cl.relname <> 'motif_schema'`)).rows;
    const indexes = (await client.query<{ table: string; name: string; unique: boolean; primary: boolean; partial: boolean; created: boolean; columns: string[] }>(`
      SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary, ix.indpred IS NOT NULL AS partial,
        NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid) AS created,
        array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY n)::text[] AS columns
      FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE ns.nspname = 'public' AND t.relname <> 'motif_schema'`)).rows;
    const schema: Schema = {};
    for (const column of columns) {
      schema[column.table] ??= { columns: [], primaryKey: [], references: [], indexes: [], checks: {} };
      schema[column.table].columns.push({ name: column.name, kind: kindOf(column.type), notNull: column.nullable === 'NO', default: column.default });
    }
    for (const key of keys) {
      const table = schema[key.table];
      if (key.kind === 'p') table.primaryKey = key.columns;
      if (key.kind === 'f') table.references.push({ from: key.columns[0], table: key.to_table!, to: key.to!, onDelete: ON_DELETE[key.on_delete] });
      if (key.kind === 'c') {
        // CHECK ((origin = ANY (ARRAY['compose'::text, ...]))) or CHECK ((value = ANY (ARRAY['-1'::integer, 1])))
        const list = /ARRAY\[(.*)\]/.exec(key.definition)![1];
        table.checks[key.columns[0]] = list.split(',').map((value) => value.trim().replace(/::\w+$/, '').replace(/^'|'$/g, '')).sort();
      }
    }
    for (const index of indexes) {
      if (index.primary) continue;
      schema[index.table].indexes.push({ columns: index.columns, unique: index.unique, partial: index.partial, ...(index.created ? { name: index.name } : {}) });
    }
    for (const table of Object.values(schema)) {
      table.references.sort((a, b) => a.from.localeCompare(b.from));
      sortIndexes(table.indexes);
    }
    return schema;
  } finally {
    await client.end();
  }
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('have as many migration steps', () => {
    expect(POSTGRES_MIGRATIONS.length).toBe(MIGRATIONS.length);
  });

  describe.skipIf(withoutPostgres())('after every step', () => {
    let database: ScratchDatabase;
    let sqlite: Schema;
    let postgres: Schema;

    beforeAll(async () => {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'motif-schema-')), 'motif.db');
      await new SqliteStore(file).close();
      sqlite = sqliteSchema(file);
      database = await scratchDatabase();
      await (await PostgresStore.open(database.url)).close();
      postgres = await postgresSchema(database.url);
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('hold the same tables, columns, keys, references, indexes and checks', () => {
      expect(Object.keys(sqlite).sort()).toEqual(['jobs', 'requests', 'takes', 'votes']);
      expect(postgres).toEqual(sqlite);
    });

    it('the comparison sees a difference (a column one backend lacks)', async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query('ALTER TABLE votes ADD COLUMN weight INTEGER');
      await client.end();
      expect(await postgresSchema(database.url)).not.toEqual(sqlite);
    });
  });
});
