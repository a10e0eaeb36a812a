/**
 * Workers as a deployment runs them: `motif worker` processes of their own (the real command, the test model) beside
 * the bot, PostgreSQL and BullMQ on Redis, posting through the emulator's REST API with no gateway connection. The
 * fault: the worker making a job is killed (SIGKILL) half-way; BullMQ's stalled-job check hands the job to the other
 * worker, which finishes it, and each take is posted once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_DIR, withoutModel } from '../helpers/model.ts';
import { withoutPostgres, withoutRedis } from '../helpers/servers.ts';
import type { DiscordEmulator, EmulatedInteraction, StoredMessage } from './emulator/discord-emulator.ts';
import { APPLICATION_ID, BOT_TOKEN, TestStorage, startEmulator, startTestBot, testConfig, type Harness } from './harness.ts';
import { eventually } from './wait.ts';

/** How long a dead worker's hold on a job lasts: the other worker takes the job over after this. */
const LOCK_S = 4;

/** A `motif worker` process, and the log lines it has written. */
interface WorkerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function takesOf(emulator: DiscordEmulator, interaction: EmulatedInteraction): StoredMessage[] {
  return [emulator.original(interaction), ...emulator.followups(interaction)]
    .filter((stored): stored is StoredMessage => stored?.message.attachments.length === 3);
}

describe.skipIf(withoutModel() || withoutPostgres() || withoutRedis())('motif worker processes', () => {
  let emulator: DiscordEmulator;
  let h: Harness;
  const storage = new TestStorage('servers');
  let where: Awaited<ReturnType<TestStorage['fresh']>>;
  const workers: WorkerProcess[] = [];

  async function startWorkerProcess(): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['bin/motif.js', 'worker'], {
      env: {
        ...process.env, DISCORD_TOKEN: BOT_TOKEN, DISCORD_APPLICATION_ID: APPLICATION_ID, DISCORD_API_URL: emulator.apiUrl,
        DATABASE_URL: where.databaseUrl, REDIS_URL: where.redisUrl, MOTIF_REDIS_PREFIX: where.redisPrefix,
        MOTIF_MODEL_DIR: MODEL_DIR, MOTIF_THREADS: '1', MOTIF_SOUNDFONT: 'timgm6mb', MOTIF_QUEUE_CONCURRENCY: '1',
        MOTIF_JOB_LOCK_S: String(LOCK_S), MOTIF_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started: WorkerProcess = { child, lines: [], exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) if (line.startsWith('{')) started.lines.push(JSON.parse(line));
    });
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    workers.push(started);
    await Promise.race([
      eventually(() => started.lines.some((line) => line.msg === 'worker ready'), 120_000, 'the worker to load its model'),
      started.exited.then((code) => {
        throw new Error(`the worker exited (${code}) before it was ready: ${errors.slice(-2000)}`);
      }),
    ]);
    return started;
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    where = await storage.fresh();
    h = await startTestBot(emulator, testConfig(where.dbPath, { ...where, takes: 2 }), undefined, { workers: 0 });
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await h?.stop();
    await emulator?.stop();
    await storage.drop();
  });

  it('a worker killed half-way through a job: the other worker finishes it, and each take is posted once', async () => {
    const pair = [await startWorkerProcess(), await startWorkerProcess()];
    const interaction = emulator.slashCommand(emulator.user('patient'), 'compose', { prompt: 'happy piano in 4/4 at 200 bpm', bars: 1, takes: 3 });
    // Take 1 posted and linked to its message: its worker is now on take 2 (or the vote reactions of take 1).
    const [posted] = await emulator.waitFor(() => {
      const found = takesOf(emulator, interaction);
      return found.length >= 1 ? found : undefined;
    }, 120_000, 'the first take');
    await eventually(() => h.bot.store.takeByMessage(posted.message.id), 10_000, 'the first take linked to its message');
    const holder = pair.find((worker) => worker.lines.some((line) => line.msg === 'take posted'))!;
    const other = pair.find((worker) => worker !== holder)!;
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBeNull();

    await emulator.waitFor(() => takesOf(emulator, interaction).length >= 3, 120_000, 'the other takes, from the other worker');
    await eventually(async () => (await h.bot.store.unfinishedJobs()).jobs.length === 0, 20_000, 'the job finished');
    const takes = await h.bot.store.takesOfRequest(1);
    expect(takes).toHaveLength(3);
    expect(takes.every((take) => take.messageId)).toBe(true);
    // Each take posted once: three messages with music in the whole channel, the original reply and two follow-ups.
    const withMusic = [...emulator.requests].filter((request) => request.multipart && request.files.length === 3 && request.status < 300);
    expect(withMusic).toHaveLength(3);
    expect(takesOf(emulator, interaction).map((stored) => stored.message.id)).toEqual(takes.map((take) => take.messageId));
    const job = (await h.bot.store.getJob(1))!;
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
    // The job was cut off: the other worker started it again and posted what was left.
    expect(other.lines.some((line) => line.msg === 'take posted')).toBe(true);
    // Workers talk to Discord through REST alone: the bot is the only gateway client.
    expect(emulator.connectedClients).toBe(1);
    expect(emulator.identifies).toBe(1);
  });
});
