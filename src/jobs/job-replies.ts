/**
 * The messages about jobs, apart from the music: where each job answers (its Delivery, one per job while it is in
 * hand), places in line, and the word that a job was lost. The bot needs these even where it makes no music (with
 * BullMQ the workers do): it shows the places in line of the jobs it queued, and after a restart says which were lost.
 */
import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import type { JobRecord, JobStore, TakeJobPayload } from '../store/types.ts';
import { Delivery } from './delivery.ts';
import { JOB_TEXT, waitingText } from './messages.ts';

/** What the job was about, in the user's words, for messages about it. */
export function describeJob(payload: TakeJobPayload): string {
  if (payload.kind === 'vary') return payload.instruction;
  if (payload.kind === 'extend') return `extend take #${payload.parentTakeId}`;
  if (payload.kind === 'continue') return `continue ${payload.file.name}${payload.instruction ? `: ${payload.instruction}` : ''}`;
  if (payload.kind === 'restyle') return `restyle ${payload.file.name}: ${payload.prompt}`;
  return payload.options.prompt;
}

export interface JobRepliesDeps {
  /** Discord's REST API with the bot's token: replies go through it alone, so a worker needs no gateway. */
  rest: REST;
  store: Pick<JobStore, 'updateJobReply'>;
  settings: Pick<BotConfig, 'applicationId'>;
  log: Logger;
  /** Least time between two progress edits of one message. */
  progressIntervalMs: number;
}

export class JobReplies {
  private readonly deliveries = new Map<number, Delivery>();
  /** A running average of how long a job takes, to tell whether a waiting one will outlive its interaction token. */
  private averageJobMs = 30_000;
  /** Jobs made at once, for the same estimate. */
  concurrency = 1;

  constructor(private readonly deps: JobRepliesDeps) {}

  /** The job's delivery, made from where its reply goes (saved with the job) the first time it is asked for. */
  delivery(job: JobRecord): Delivery {
    let delivery = this.deliveries.get(job.id);
    if (!delivery) {
      if (!job.reply) throw new Error(`job ${job.id} has finished: there is nowhere left to answer`);
      delivery = new Delivery({
        rest: this.deps.rest, applicationId: this.deps.settings.applicationId, store: this.deps.store, log: this.deps.log,
        progressIntervalMs: this.deps.progressIntervalMs,
      }, job.id, job.reply);
      this.deliveries.set(job.id, delivery);
    }
    return delivery;
  }

  /** Waits for what the job's delivery was asked, and lets it go (progress not yet shown is dropped). */
  async release(jobId: number): Promise<void> {
    const delivery = this.deliveries.get(jobId);
    this.deliveries.delete(jobId);
    await delivery?.close();
  }

  recordJobTime(ms: number): void {
    this.averageJobMs = 0.8 * this.averageJobMs + 0.2 * ms;
  }

  /** Tells waiting users their place in line. */
  showPositions(changes: ReadonlyMap<JobRecord, number>): void {
    for (const [job, position] of changes) {
      const delivery = this.delivery(job);
      const expectedMs = (position * this.averageJobMs) / this.concurrency;
      delivery.progress(waitingText(position, delivery.tokenExpiresWithin(expectedMs)));
    }
  }

  /** Tells the user of a job that restarts cut off too often that it is lost. */
  async abandon(job: JobRecord): Promise<void> {
    const delivery = this.delivery(job);
    try {
      await delivery.fail(JOB_TEXT.lostInRestart(describeJob(job.payload)));
    } finally {
      await this.release(job.id);
    }
  }
}
