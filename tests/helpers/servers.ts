/**
 * The database and queue servers some suites run against: real PostgreSQL and Redis, found through
 * MOTIF_TEST_DATABASE_URL and MOTIF_TEST_REDIS_URL (`.ci/start-services` starts both from Debian's packages and prints
 * the two lines). Without them those suites skip, saying so once (helpers/prerequisites.ts); under MOTIF_REQUIRE_ALL
 * they fail instead.
 *
 * Each test file works in a database of its own (scratchDatabase) and under a Redis key prefix of its own
 * (scratchPrefix), so files that run at once do not see each other's rows or jobs.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { skipWithout } from './prerequisites.ts';

export const TEST_DATABASE_URL = process.env.MOTIF_TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.MOTIF_TEST_REDIS_URL || undefined;

const START = 'run .ci/start-services (it installs and starts them) and set the variables it prints';

/** The condition of a suite that needs PostgreSQL: true (skip) when there is none. */
export function withoutPostgres(): boolean {
  return skipWithout(TEST_DATABASE_URL !== undefined, 'no PostgreSQL server (MOTIF_TEST_DATABASE_URL)', START);
}

/** The condition of a suite that needs Redis: true (skip) when there is none. */
export function withoutRedis(): boolean {
  return skipWithout(TEST_REDIS_URL !== undefined, 'no Redis server (MOTIF_TEST_REDIS_URL)', START);
}

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A new, empty database on the test server, and how to drop it. */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  if (!TEST_DATABASE_URL) throw new Error('no MOTIF_TEST_DATABASE_URL');
  const name = `motif_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A Redis key prefix no other test run uses. */
export function scratchPrefix(): string {
  return `motif-test-${randomBytes(6).toString('hex')}`;
}
