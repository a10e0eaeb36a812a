import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';
import { decodeHeader, decodeScore, encodeScore, headerLength, type ScoreHeader } from '../src/tokens/tokenizer.ts';
import { PREFERENCE_FORMAT, votePairs } from '../src/store/preferences.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { encodeTokens } from '../src/store/token-codec.ts';
import { openModelFolder } from '../src/inference/manifest.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { StoredDataError } from '../src/store/stored-json.ts';
import type { MotifStore, NewJob, NewTake, ScoredTake } from '../src/store/types.ts';
import { fixtureMidi } from './helpers/data.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';
import { scratchDatabase, withoutPostgres } from './helpers/servers.ts';

const HEADER: ScoreHeader = { timeSignature: [4, 4], bpm: 90, key: { tonic: 9, mode: 'minor' }, instruments: [0, 128], bars: 8 };

/** Token sequences of real songs (the fixtures' Freedoom tunes), to store as takes. */
async function realTokenSequences(count: number): Promise<number[][]> {
  const sequences: number[][] = [];
  for (const member of await fixtureMidi('multitrack/freedoom.tar.gz', count * 3)) {
    try {
      sequences.push(encodeScore(readMidi(member.bytes), { bars: 8 }));
    } catch {
      // a file the tokenizer refuses (no notes): take the next one
    }
    if (sequences.length === count) break;
  }
  return sequences;
}

/** A store on one backend, and a way round it: writing a column as another program might (a damaged row). */
interface OpenedStore {
  store: MotifStore;
  /** Writes `value` into a row's column behind the store's back. */
  corrupt(table: string, column: string, id: number, value: string): Promise<void>;
  close(): Promise<void>;
}

const BACKENDS: { name: string; skip: () => boolean; open: () => Promise<OpenedStore> }[] = [
  {
    name: 'SQLite',
    skip: () => false,
    async open() {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'motif-store-')), 'motif.db');
      const store = new SqliteStore(file);
      return {
        store,
        async corrupt(table, column, id, value) {
          const db = new Database(file);
          db.prepare(`UPDATE ${table} SET ${column} = ? WHERE id = ?`).run(value, id);
          db.close();
        },
        close: () => store.close(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    skip: withoutPostgres,
    async open() {
      const database = await scratchDatabase();
      const store = await PostgresStore.open(database.url);
      return {
        store,
        async corrupt(table, column, id, value) {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          await client.query(`UPDATE ${table} SET ${column} = $1 WHERE id = $2`, [value, id]);
          await client.end();
        },
        async close() {
          await store.close();
          await database.drop();
        },
      };
    },
  },
];

describe.each(BACKENDS)('the store on $name', ({ skip, open }) => {
  const skipped = skip();
  let opened: OpenedStore;
  let store: MotifStore;
  let songs: number[][];

  beforeAll(async () => {
    if (skipped) return;
    opened = await open();
    store = opened.store;
    songs = await realTokenSequences(4);
  });

  afterAll(async () => {
    await opened?.close();
  });

  const take = (requestId: number, tokens: number[], extra: Partial<NewTake> = {}): NewTake => ({
    requestId, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'lofi piano', seed: 7, tokens, modelId: 'test-model',
    header: { ...decodeHeader(tokens) }, ...extra,
  });

  it.skipIf(skipped)('keeps requests and takes, tokens exactly, numbered per request and findable by message', async () => {
    expect(songs).toHaveLength(4);
    const request = await store.createRequest({ userId: 'u1', guildId: 'g', channelId: 'c', prompt: 'lofi piano', options: { prompt: 'lofi piano', bpm: 90, bars: 8 } });
    expect(await store.getRequest(request.id)).toEqual(request);
    const first = await store.addTake(take(request.id, songs[0], { seed: 1 }));
    // The largest seed there is (2^32 - 1) fits: PostgreSQL keeps seeds as BIGINT.
    const second = await store.addTake(take(request.id, songs[1], { seed: 0xffffffff }));
    expect([first.index, second.index]).toEqual([0, 1]);
    const back = (await store.getTake(first.id))!;
    expect(back).toEqual(first);
    expect(back.tokens).toEqual(songs[0]);
    expect(decodeScore(back.tokens)).toEqual(decodeScore(songs[0]));
    expect(back.header).toEqual(JSON.parse(JSON.stringify(decodeHeader(songs[0]))));
    await store.setTakeMessage(second.id, 'c', 'm-2');
    expect((await store.takeByMessage('m-2'))!.id).toBe(second.id);
    expect((await store.postedTakes(5)).map((found) => found.id)).toEqual([second.id]);
    expect(await store.takeByMessage('m-unknown')).toBeUndefined();
    expect((await store.takesOfRequest(request.id)).map((found) => found.seed)).toEqual([1, 0xffffffff]);
  });

  it.skipIf(skipped)('numbers takes added to one request at once without a gap or a clash', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const added = await Promise.all(Array.from({ length: 6 }, (_, seed) => store.addTake(take(request.id, songs[seed % 4], { seed }))));
    expect(added.map((found) => found.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.skipIf(skipped)('keeps what a preference pair needs: the forced tokens and the sampling of a take', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const sampling = { temperature: 0.9, topK: 0, topP: 0.95, guidance: 3, keyPrior: 1 };
    const added = await store.addTake(take(request.id, songs[1], { forcedTokens: 37, sampling }));
    expect(added).toMatchObject({ forcedTokens: 37, sampling });
    expect(await store.getTake(added.id)).toMatchObject({ forcedTokens: 37, sampling });
    const unrecorded = await store.addTake(take(request.id, songs[2]));
    expect(await store.getTake(unrecorded.id)).toMatchObject({ forcedTokens: null, sampling: null });
  });

  it.skipIf(skipped)('keeps one vote per user per take, the latest one, and removes it only with its own emoji', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const voted = await store.addTake(take(request.id, songs[2]));
    await store.setVote(voted.id, 'a', 1, '👍');
    await store.setVote(voted.id, 'b', 1, '👍');
    await store.setVote(voted.id, 'a', -1, '👎');
    expect(await store.votesOf(voted.id)).toEqual({ up: 1, down: 1 });
    expect(await store.removeVote(voted.id, 'a', '👍')).toBe(false);
    expect(await store.votesOf(voted.id)).toEqual({ up: 1, down: 1 });
    expect(await store.removeVote(voted.id, 'a', '👎')).toBe(true);
    expect(await store.votesOf(voted.id)).toEqual({ up: 1, down: 0 });
    expect((await store.votedTakes()).find((found) => found.id === voted.id)).toMatchObject({ tokens: songs[2], votes: { up: 1, down: 0 } });
    expect(await store.stats()).toMatchObject({ upVotes: 1, downVotes: 0, voters: 1 });
  });

  it.skipIf(skipped)('clears the votes Discord no longer shows: those of one emoji, or all, saying whose went', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const voted = await store.addTake(take(request.id, songs[3]));
    const other = await store.addTake(take(request.id, songs[0]));
    await store.setVote(voted.id, 'a', 1, '👍');
    await store.setVote(voted.id, 'b', -1, '👎');
    await store.setVote(voted.id, 'c', 1, '👍');
    await store.setVote(other.id, 'a', 1, '👍');
    expect((await store.clearVotes(voted.id, '👍')).sort()).toEqual(['a', 'c']);
    expect(await store.votesOf(voted.id)).toEqual({ up: 0, down: 1 });
    expect(await store.votesOnTake(voted.id)).toEqual([{ userId: 'b', value: -1, emoji: '👎' }]);
    expect(await store.clearVotes(voted.id)).toEqual(['b']);
    expect(await store.votesOf(voted.id)).toEqual({ up: 0, down: 0 });
    expect(await store.votesOf(other.id)).toEqual({ up: 1, down: 0 });
  });

  it.skipIf(skipped)('deleting a take drops its votes and leaves its variations without a parent', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const parent = await store.addTake(take(request.id, songs[0]));
    const child = await store.addTake(take(request.id, songs[1], { origin: 'variation', parentTakeId: parent.id, instruction: 'faster' }));
    await store.setVote(parent.id, 'a', 1, '👍');
    await store.deleteTake(parent.id);
    expect(await store.getTake(parent.id)).toBeUndefined();
    expect(await store.votesOf(parent.id)).toEqual({ up: 0, down: 0 });
    expect((await store.getTake(child.id))!.parentTakeId).toBeNull();
  });

  it.skipIf(skipped)('never gives a take id twice: the newest take deleted, the next one gets a new id (and not its buttons)', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const newest = await store.addTake(take(request.id, songs[0]));
    await store.deleteTake(newest.id);
    const next = await store.addTake(take(request.id, songs[1]));
    expect(next.id).toBeGreaterThan(newest.id);
  });

  it.skipIf(skipped)('records jobs, counts their starts, and forgets the reply (an interaction token) when they finish', async () => {
    const asked: NewJob = {
      userId: 'u', guildId: null, channelId: 'c', requestId: null,
      payload: { kind: 'vary', requestId: 5, parentTakeId: 3, instruction: 'faster', seeds: [42] },
      reply: { type: 'interaction', userId: 'u', channelId: 'c', token: 'secret', expiresAt: 1_000 },
    };
    const job = await store.insertJob(asked);
    expect((await store.unfinishedJobs()).jobs.find((found) => found.id === job.id)).toMatchObject({ payload: asked.payload, reply: asked.reply });
    await store.updateJobReply(job.id, { type: 'channel', userId: 'u', channelId: 'c', fromInteraction: true });
    const started = await store.markJobStarted(job.id);
    expect(started).toMatchObject({ status: 'running', attempts: 1, reply: { type: 'channel', fromInteraction: true } });
    await store.finishJob(job.id, 'done');
    const done = (await store.getJob(job.id))!;
    expect(done).toMatchObject({ status: 'done', reply: null, payload: asked.payload });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt!);
    expect((await store.unfinishedJobs()).jobs.map((found) => found.id)).not.toContain(job.id);
  });

  it.skipIf(skipped)('refuses a stored payload that is not what it wrote, saying which row, which column and what is wrong', async () => {
    const request = await store.createRequest({ userId: 'u', guildId: null, channelId: 'c', prompt: 'lofi', options: { prompt: 'lofi', bars: 8 } });
    const damaged = await store.addTake({
      requestId: request.id, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'lofi', seed: 1, tokens: [1, 2, 3], modelId: 'm', header: HEADER,
    });
    const job = await store.insertJob({
      userId: 'u', guildId: null, channelId: 'c', requestId: request.id,
      payload: { kind: 'compose', requestId: request.id, options: { prompt: 'lofi' }, seeds: [1, 2] },
      reply: { type: 'channel', userId: 'u', channelId: 'c' },
    });
    await opened.corrupt('requests', 'options', request.id, '{"prompt": "lofi", "bars": 8');
    await opened.corrupt('takes', 'header', damaged.id, JSON.stringify({ ...HEADER, bpm: 'fast' }));
    await opened.corrupt('jobs', 'payload', job.id, JSON.stringify({ kind: 'compose', requestId: request.id, options: { prompt: 'lofi' } }));

    await expect(store.getRequest(request.id)).rejects.toThrow(`cannot read the options of requests row ${request.id}: it is not JSON`);
    await expect(store.getTake(damaged.id)).rejects.toThrow(new RegExp(`^cannot read the header of takes row ${damaged.id}: bpm: .*expected number`));
    await expect(store.takesOfRequest(request.id)).rejects.toBeInstanceOf(StoredDataError);
    await expect(store.getJob(job.id)).rejects.toThrow(new RegExp(`^cannot read the payload of jobs row ${job.id}: seeds: .*expected array`));
    await store.finishJob(job.id, 'failed', 'damaged by this test');
  });

  it.skipIf(skipped)('marks an unfinished job it cannot read failed, keeping its row, and still gives back the others', async () => {
    const newJob = (user: string): NewJob => ({
      userId: user, guildId: null, channelId: 'c', requestId: null,
      payload: { kind: 'extend', requestId: 1, parentTakeId: 1, bars: 4, seeds: [9] }, reply: { type: 'channel', userId: user, channelId: 'c' },
    });
    const before = await store.insertJob(newJob('a'));
    const damaged = await store.insertJob(newJob('b'));
    const after = await store.insertJob(newJob('c'));
    const broken = '{"kind": "extend", "requestId": 1';
    await opened.corrupt('jobs', 'reply', damaged.id, broken);

    const found = await store.unfinishedJobs();
    expect(found.jobs.map((job) => job.id)).toEqual(expect.arrayContaining([before.id, after.id]));
    expect(found.jobs.map((job) => job.id)).not.toContain(damaged.id);
    expect(found.unreadable).toEqual([{ id: damaged.id, problem: `cannot read the reply of jobs row ${damaged.id}: it is not JSON` }]);
    // Marked failed, with the reason; the damaged reply is still there for a person to look at.
    await opened.corrupt('jobs', 'reply', damaged.id, JSON.stringify({ type: 'channel', userId: 'b', channelId: 'c' }));
    expect(await store.getJob(damaged.id)).toMatchObject({ status: 'failed', error: found.unreadable[0].problem });
    expect((await store.unfinishedJobs()).unreadable).toEqual([]);
  });
});

describe('the SQLite store', () => {
  let dir: string;
  let songs: number[][];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'motif-store-'));
    songs = await realTokenSequences(4);
  });

  it('is created with its folder and migrated to the latest schema', async () => {
    const store = new SqliteStore(path.join(dir, 'nested', 'motif.db'));
    expect(store.version).toBe(MIGRATIONS.length);
    expect(store.version).toBe(3);
    await store.close();
  });

  it('opens a database of the first schema and reads its takes, without what was not recorded then', async () => {
    const file = path.join(dir, 'first-schema.db');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO requests (user_id, guild_id, channel_id, prompt, options, created_at) VALUES ('u', NULL, 'c', 'lofi', ?, 1)")
      .run(JSON.stringify({ prompt: 'lofi' }));
    old.prepare(`INSERT INTO takes (request_id, take_index, origin, prompt, seed, tokens, model_id, header, created_at)
      VALUES (1, 0, 'compose', 'lofi', 3, ?, 'old-model', ?, 1)`).run(encodeTokens(songs[3]), JSON.stringify(decodeHeader(songs[3])));
    old.close();
    const reopened = new SqliteStore(file);
    try {
      expect(reopened.version).toBe(MIGRATIONS.length);
      expect(await reopened.getTake(1)).toMatchObject({ tokens: songs[3], modelId: 'old-model', forcedTokens: null, sampling: null });
    } finally {
      await reopened.close();
    }
  });

  it('moves a database of schema 2 to ids that are never reused, keeping every row and link', async () => {
    const file = path.join(dir, 'second-schema.db');
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec(MIGRATIONS[1]);
    old.pragma('user_version = 2');
    old.prepare("INSERT INTO requests (user_id, guild_id, channel_id, prompt, options, created_at) VALUES ('u', NULL, 'c', 'lofi', ?, 1)")
      .run(JSON.stringify({ prompt: 'lofi' }));
    const insertTake = old.prepare(`INSERT INTO takes (request_id, take_index, origin, parent_take_id, prompt, seed, tokens, model_id, header, created_at, forced_tokens)
      VALUES (1, ?, ?, ?, 'lofi', 3, ?, 'old-model', ?, 1, 12)`);
    insertTake.run(0, 'compose', null, encodeTokens(songs[0]), JSON.stringify(decodeHeader(songs[0])));
    insertTake.run(1, 'variation', 1, encodeTokens(songs[1]), JSON.stringify(decodeHeader(songs[1])));
    insertTake.run(2, 'compose', null, encodeTokens(songs[2]), JSON.stringify(decodeHeader(songs[2])));
    old.prepare("INSERT INTO votes (take_id, user_id, value, emoji, created_at) VALUES (1, 'voter', 1, '👍', 1)").run();
    old.close();

    const store = new SqliteStore(file);
    try {
      expect(store.version).toBe(3);
      expect((await store.takesOfRequest(1)).map((found) => [found.id, found.parentTakeId, found.forcedTokens])).toEqual([[1, null, 12], [2, 1, 12], [3, null, 12]]);
      expect(await store.votesOf(1)).toEqual({ up: 1, down: 0 });
      // The newest take goes; the next take does not get its id (nor its buttons).
      await store.deleteTake(3);
      const next = await store.addTake({
        requestId: 1, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'lofi', seed: 4, tokens: songs[3], modelId: 'm', header: decodeHeader(songs[3]),
      });
      expect(next.id).toBe(4);
      // Foreign keys are back on: deleting the parent still unlinks its variation and drops its votes.
      await store.deleteTake(1);
      expect((await store.getTake(2))!.parentTakeId).toBeNull();
      expect(await store.votesOf(1)).toEqual({ up: 0, down: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('preference pairs', () => {
  const SAMPLING = { temperature: 1, topK: 0, topP: 0.95, guidance: 3, keyPrior: 1 };
  const encoder = { hash: 'tok-hash', encode: (text: string) => [1, ...Array.from(text, (char) => char.charCodeAt(0) % 50 + 3)] };
  let songs: number[][];
  beforeAll(async () => {
    songs = await realTokenSequences(4);
  });

  const scored = (id: number, requestId: number, up: number, down: number, extra: Partial<ScoredTake> = {}): ScoredTake => ({
    id, requestId, index: id, origin: 'compose', parentTakeId: null, instruction: null, prompt: `prompt ${requestId}`, seed: id,
    tokens: songs[id % songs.length], modelId: 'm', header: HEADER, forcedTokens: 12, sampling: SAMPLING, channelId: null, messageId: null,
    createdAt: 0, votes: { up, down }, ...extra,
  });

  it('pairs only takes composed under the same conditioning, never a variation with its parent', () => {
    const { pairs, unknownForced } = votePairs([
      scored(1, 1, 3, 0), scored(2, 1, 1, 1), scored(3, 1, 0, 1, { origin: 'regenerate' }),
      // Variations of take 1 by the same words (one request and its regeneration); take 1 itself is not their sibling.
      scored(4, 2, 0, 2, { origin: 'variation', parentTakeId: 1, instruction: 'faster', prompt: 'prompt 1, faster', forcedTokens: 90 }),
      scored(5, 2, 2, 0, { origin: 'variation', parentTakeId: 1, instruction: 'faster', prompt: 'prompt 1, faster', forcedTokens: 90 }),
      // Another request with one voted take: nothing to compare it with.
      scored(6, 3, 5, 0),
    ], encoder);
    expect(unknownForced).toBe(0);
    expect(pairs.map((pair) => [pair.conditioning, pair.chosen.take, pair.rejected.take, pair.margin])).toEqual([
      ['compose', 1, 2, 3], ['compose', 1, 3, 4], ['compose', 2, 3, 1], ['variation', 5, 4, 4],
    ]);
    const variation = pairs[3];
    expect(variation).toMatchObject({
      format: PREFERENCE_FORMAT, source: 'votes', prompt: 'prompt 1, faster', instruction: 'faster', request: 2,
      textIds: encoder.encode('prompt 1, faster'), textTokenizer: 'tok-hash',
    });
    expect(variation.chosen).toEqual({ take: 5, seed: 5, tokens: songs[1], forced: 90, modelId: 'm', sampling: SAMPLING, score: 2 });
    expect(votePairs([scored(1, 1, 3, 0), scored(2, 1, 2, 0)], encoder, 2).pairs).toEqual([]);
  });

  it('works out the forced tokens of takes stored before they were recorded where it can', () => {
    const { pairs, unknownForced } = votePairs([
      scored(1, 1, 1, 0, { forcedTokens: null, sampling: null }), scored(2, 1, 0, 1, { forcedTokens: null, sampling: null }),
      scored(3, 2, 1, 0, { origin: 'variation', parentTakeId: 1, instruction: 'slower', forcedTokens: null }),
      scored(4, 2, 0, 1, { origin: 'variation', parentTakeId: 1, instruction: 'slower', forcedTokens: null }),
    ], encoder);
    // A new piece forces its header only; an older variation's kept prefix is unknown, so it is left out.
    expect(pairs).toHaveLength(1);
    expect(pairs[0].chosen.forced).toBe(headerLength(songs[1]));
    expect(pairs[0].chosen.forced).toBeGreaterThan(5);
    expect(pairs[0].chosen.sampling).toBeNull();
    expect(unknownForced).toBe(2);
  });

  it.skipIf(withoutModel())('`motif export-preferences` writes them as JSON lines, the prompt encoded by the model\'s text tokenizer', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'motif-prefs-'));
    const db = path.join(dir, 'motif.db');
    const store = new SqliteStore(db);
    const request = await store.createRequest({ userId: 'u', guildId: null, channelId: 'c', prompt: 'sad strings', options: { prompt: 'sad strings' } });
    const takes = [];
    for (const [index, tokens] of songs.slice(0, 2).entries()) {
      takes.push(await store.addTake({
        requestId: request.id, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'sad strings', seed: index, tokens,
        modelId: 'm', header: decodeHeader(tokens), forcedTokens: 14, sampling: SAMPLING,
      }));
    }
    await store.setVote(takes[0].id, 'a', -1, '👎');
    await store.setVote(takes[1].id, 'a', 1, '👍');
    await store.setVote(takes[1].id, 'b', 1, '👍');
    await store.close();
    const out = path.join(dir, 'prefs.jsonl');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/motif.js', 'export-preferences', '--db', db, '--out', out, '--model', MODEL_DIR!]);
    expect(stdout).toMatch(/wrote 1 preference pairs .*\(1 compose, 0 variation, 0 extension\)/);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    const folder = await openModelFolder(MODEL_DIR!);
    expect(lines[0]).toMatchObject({
      format: 'motif-preference-v1', source: 'votes', conditioning: 'compose', prompt: 'sad strings', margin: 3,
      textIds: folder.tokenizer.encode('sad strings', folder.dims.maxTextLen), textTokenizer: folder.manifest.text_vocab_hash,
      chosen: { take: takes[1].id, tokens: songs[1], forced: 14, sampling: SAMPLING, score: 2 },
      rejected: { take: takes[0].id, tokens: songs[0], forced: 14, score: -1 },
    });
  });
});
