/** Reading back a JSON column: parsed with its schema, or refused with the table, row, column and what is wrong. */
import type { z } from 'zod';

/** Where a stored value came from, for the error that refuses it. */
export interface StoredPlace {
  table: string;
  id: number;
  column: string;
}

/** A stored value that is not what the code wrote there: a damaged database, a hand edit, or another program's data. */
export class StoredDataError extends Error {
  constructor(place: StoredPlace, problem: string) {
    super(`cannot read the ${place.column} of ${place.table} row ${place.id}: ${problem}`);
    this.name = 'StoredDataError';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

export function readStoredJson<Schema extends z.ZodType>(schema: Schema, json: string, place: StoredPlace): z.output<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new StoredDataError(place, 'it is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredDataError(place, describeIssues(parsed.error));
  return parsed.data;
}
