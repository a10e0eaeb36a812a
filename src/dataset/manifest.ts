/** The CSV manifest beside each archive: one row per member with its sha1, size, labels and origin. */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

export type ManifestRow = Record<string, string> & { member: string; origin: string };

/** Rows by member path. */
export async function readManifest(csvPath: string): Promise<Map<string, ManifestRow>> {
  const rows = parse(await readFile(csvPath), { columns: true, skip_empty_lines: true, relax_column_count: true }) as ManifestRow[];
  return new Map(rows.map((row) => [row.member, row]));
}

/** Parses CSV text (for CSV files that live inside an archive). */
export function parseCsv(text: string | Uint8Array): Record<string, string>[] {
  return parse(typeof text === 'string' ? text : Buffer.from(text), { columns: true, skip_empty_lines: true, relax_column_count: true });
}
