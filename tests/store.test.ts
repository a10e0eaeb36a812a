import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi } from '../src/music/midi.ts';
import { decodeHeader, decodeScore, encodeScore, type ScoreHeader } from '../src/tokens/tokenizer.ts';
import { preferencePairs } from '../src/store/preferences.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { StoredDataError } from '../src/store/stored-json.ts';
import type { NewJob, NewTake, TakeRecord } from '../src/store/types.ts';
import { fixtureMidi } from './helpers/data.ts';

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

describe('the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  let songs: number[][];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'motif-store-'));
    store = new SqliteStore(path.join(dir, 'nested', 'motif.db'));
    songs = await realTokenSequences(4);
  });

  afterAll(async () => {
    await store.close();
  });

  const take = (requestId: number, tokens: number[], extra: Partial<NewTake> = {}): NewTake => ({
    requestId, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'lofi piano', seed: 7, tokens, modelId: 'test-model',
    header: { ...decodeHeader(tokens) }, ...extra,
  });

  it('is created with its folder and migrated to the latest schema', () => {
    expect(store.version).toBe(1);
  });

  it('keeps requests and takes, tokens exactly, numbered per request and findable by message', async () => {
    expect(songs).toHaveLength(4);
    const request = await store.createRequest({ userId: 'u1', guildId: 'g', channelId: 'c', prompt: 'lofi piano', options: { prompt: 'lofi piano', bpm: 90, bars: 8 } });
    expect(await store.getRequest(request.id)).toEqual(request);
    const first = await store.addTake(take(request.id, songs[0], { seed: 1 }));
    const second = await store.addTake(take(request.id, songs[1], { seed: 2 }));
    expect([first.index, second.index]).toEqual([0, 1]);
    const back = (await store.getTake(first.id))!;
    expect(back.tokens).toEqual(songs[0]);
    expect(decodeScore(back.tokens)).toEqual(decodeScore(songs[0]));
    expect(back.header).toEqual(JSON.parse(JSON.stringify(decodeHeader(songs[0]))));
    await store.setTakeMessage(second.id, 'c', 'm-2');
    expect((await store.takeByMessage('m-2'))!.id).toBe(second.id);
    expect(await store.takeByMessage('m-unknown')).toBeUndefined();
    expect((await store.takesOfRequest(request.id)).map((found) => found.seed)).toEqual([1, 2]);
  });

  it('keeps one vote per user per take, the latest one, and removes it only with its own emoji', async () => {
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
  });

  it('deleting a take drops its votes and leaves its variations without a parent', async () => {
    const request = await store.createRequest({ userId: 'u1', guildId: null, channelId: 'c', prompt: 'x', options: { prompt: 'x' } });
    const parent = await store.addTake(take(request.id, songs[0]));
    const child = await store.addTake(take(request.id, songs[1], { origin: 'variation', parentTakeId: parent.id, instruction: 'faster' }));
    await store.setVote(parent.id, 'a', 1, '👍');
    await store.deleteTake(parent.id);
    expect(await store.getTake(parent.id)).toBeUndefined();
    expect(await store.votesOf(parent.id)).toEqual({ up: 0, down: 0 });
    expect((await store.getTake(child.id))!.parentTakeId).toBeNull();
  });

  it('records jobs, counts their starts, and forgets the reply (an interaction token) when they finish', async () => {
    const asked: NewJob = {
      userId: 'u', guildId: null, channelId: 'c', requestId: null,
      payload: { kind: 'vary', requestId: 5, parentTakeId: 3, instruction: 'faster', seeds: [42] },
      reply: { type: 'interaction', userId: 'u', channelId: 'c', token: 'secret', expiresAt: 1_000 },
    };
    const job = await store.insertJob(asked);
    expect((await store.unfinishedJobs()).find((found) => found.id === job.id)).toMatchObject({ payload: asked.payload, reply: asked.reply });
    await store.updateJobReply(job.id, { type: 'channel', userId: 'u', channelId: 'c', fromInteraction: true });
    const started = await store.markJobStarted(job.id);
    expect(started).toMatchObject({ status: 'running', attempts: 1, reply: { type: 'channel', fromInteraction: true } });
    await store.finishJob(job.id, 'done');
    const done = (await store.getJob(job.id))!;
    expect(done).toMatchObject({ status: 'done', reply: null, payload: asked.payload });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt!);
    expect((await store.unfinishedJobs()).map((found) => found.id)).not.toContain(job.id);
  });
});

describe('stored payloads', () => {
  it('refuses a stored payload that is not what it wrote, saying which row, which column and what is wrong', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'motif-store-')), 'damaged.db');
    const damaged = new SqliteStore(file);
    const request = await damaged.createRequest({ userId: 'u', guildId: null, channelId: 'c', prompt: 'lofi', options: { prompt: 'lofi', bars: 8 } });
    const take = await damaged.addTake({
      requestId: request.id, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'lofi', seed: 1, tokens: [1, 2, 3], modelId: 'm', header: HEADER,
    });
    const job = await damaged.insertJob({
      userId: 'u', guildId: null, channelId: 'c', requestId: request.id,
      payload: { kind: 'compose', requestId: request.id, options: { prompt: 'lofi' }, seeds: [1, 2] },
      reply: { type: 'channel', userId: 'u', channelId: 'c' },
    });
    await damaged.close();

    const db = new Database(file);
    db.prepare('UPDATE requests SET options = ? WHERE id = ?').run('{"prompt": "lofi", "bars": 8', request.id);
    db.prepare('UPDATE takes SET header = ? WHERE id = ?').run(JSON.stringify({ ...HEADER, bpm: 'fast' }), take.id);
    db.prepare('UPDATE jobs SET payload = ? WHERE id = ?').run(JSON.stringify({ kind: 'compose', requestId: request.id, options: { prompt: 'lofi' } }), job.id);
    db.close();

    const reopened = new SqliteStore(file);
    try {
      await expect(reopened.getRequest(request.id)).rejects.toThrow(`cannot read the options of requests row ${request.id}: it is not JSON`);
      await expect(reopened.getTake(take.id)).rejects.toThrow(new RegExp(`^cannot read the header of takes row ${take.id}: bpm: .*expected number`));
      await expect(reopened.takesOfRequest(request.id)).rejects.toBeInstanceOf(StoredDataError);
      await expect(reopened.getJob(job.id)).rejects.toThrow(new RegExp(`^cannot read the payload of jobs row ${job.id}: seeds: .*expected array`));
      await expect(reopened.unfinishedJobs()).rejects.toBeInstanceOf(StoredDataError);
    } finally {
      await reopened.close();
    }
  });
});

describe('preference pairs', () => {
  const scored = (id: number, requestId: number, up: number, down: number, extra: Partial<TakeRecord> = {}) => ({
    id, requestId, index: id, origin: 'compose' as const, parentTakeId: null, instruction: null, prompt: `prompt ${requestId}`, seed: id,
    tokens: [id, id + 1], modelId: 'm', header: HEADER, channelId: null, messageId: null, createdAt: 0, votes: { up, down }, ...extra,
  });

  it('pairs sibling takes and variations with their parents, the higher score chosen, ties left out', () => {
    const pairs = preferencePairs([
      scored(1, 1, 3, 0), scored(2, 1, 1, 1), scored(3, 1, 1, 1),
      scored(4, 2, 0, 2, { origin: 'variation', parentTakeId: 1, instruction: 'faster', prompt: 'prompt 1, faster' }),
    ]);
    expect(pairs.map((pair) => [pair.kind, pair.chosenTake, pair.rejectedTake, pair.margin])).toEqual([
      ['siblings', 1, 2, 3], ['siblings', 1, 3, 3], ['variation', 1, 4, 5],
    ]);
    expect(pairs[2]).toMatchObject({ prompt: 'prompt 1, faster', instruction: 'faster', chosen: [1, 2], rejected: [4, 5] });
    expect(preferencePairs([scored(1, 1, 3, 0), scored(2, 1, 2, 0)], 2)).toEqual([]);
  });

  it('`motif export-preferences` writes them as JSON lines', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'motif-prefs-'));
    const db = path.join(dir, 'motif.db');
    const store = new SqliteStore(db);
    const songs = await realTokenSequences(2);
    const request = await store.createRequest({ userId: 'u', guildId: null, channelId: 'c', prompt: 'sad strings', options: { prompt: 'sad strings' } });
    const takes = [];
    for (const [index, tokens] of songs.entries()) {
      takes.push(await store.addTake({ requestId: request.id, origin: 'compose', parentTakeId: null, instruction: null, prompt: 'sad strings', seed: index, tokens, modelId: 'm', header: decodeHeader(tokens) }));
    }
    await store.setVote(takes[0].id, 'a', -1, '👎');
    await store.setVote(takes[1].id, 'a', 1, '👍');
    await store.setVote(takes[1].id, 'b', 1, '👍');
    await store.close();
    const out = path.join(dir, 'prefs.jsonl');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/motif.js', 'export-preferences', '--db', db, '--out', out]);
    expect(stdout).toMatch(/wrote 1 preference pairs/);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'siblings', prompt: 'sad strings', margin: 3, chosenTake: takes[1].id, rejectedTake: takes[0].id });
    expect(lines[0].chosen).toEqual(songs[1]);
    expect(lines[0].rejected).toEqual(songs[0]);
  });
});
