/**
 * The work behind every request that makes music: compose (several takes), regenerate, vary, extend. Each take is
 * composed, stored, rendered, posted, linked to its message and given its vote reactions. A job's seeds are fixed when
 * it is accepted, so a job cut off by a restart makes the same takes again and skips those already posted.
 */
import type { REST } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import { isUserFacing, parentFromScore, pieceMarks, requestInferences, type Composition, type ParentPiece, type PieceMark } from '../inference/index.ts';
import { forcedTokenCount } from '../inference/forced-tokens.ts';
import { decodeHeader, decodeScore } from '../tokens/tokenizer.ts';
import type { JobKind, JobRecord, MotifStore, TakeJobPayload, TakeOrigin, TakeRecord } from '../store/types.ts';
import { FinalFailure, type JobAttempt } from '../queue/take-queue.ts';
import type { Composer } from './composer.ts';
import type { Delivery } from './delivery.ts';
import { JobReplies } from './job-replies.ts';
import { JOB_TEXT, workingText } from './messages.ts';
import type { Renderer } from './renderer.ts';
import { takeMessage } from './take-message.ts';
import { readUploadedMidi } from './uploaded-midi.ts';
import { addVoteReactions } from './vote-reactions.ts';

/**
 * A person's file is no take, so a continuation of one is an extension and a restyle a variation without a parent:
 * Vary, Extend and votes work on their takes as on any other.
 */
const ORIGIN: Record<JobKind, TakeOrigin> = {
  compose: 'compose', regenerate: 'regenerate', vary: 'variation', extend: 'extension', continue: 'extension', restyle: 'variation',
};

export function parentPiece(take: TakeRecord): ParentPiece {
  return { prompt: take.prompt, header: decodeHeader(take.tokens), tokens: take.tokens, seed: take.seed };
}

class TakeGoneError extends Error {
  readonly userFacing = true;
  constructor() {
    super(JOB_TEXT.takeGone);
  }
}

export interface TakeJobsDeps {
  /** Discord's REST API with the bot's token: the pipeline posts through it alone, so a worker needs no gateway. */
  rest: REST;
  composer: Composer;
  renderer: Renderer;
  store: MotifStore;
  settings: Pick<BotConfig, 'applicationId' | 'voteEmojis' | 'maxUploadBytes'>;
  log: Logger;
  /** Least time between two progress edits of one message. */
  progressIntervalMs: number;
}

export class TakeJobs {
  /** Where each job answers; shared with the queue's messages about places in line. */
  readonly replies: JobReplies;

  constructor(private readonly ctx: TakeJobsDeps) {
    this.replies = new JobReplies(ctx);
  }

  private get store(): MotifStore {
    return this.ctx.store;
  }

  private get log(): Logger {
    return this.ctx.log;
  }

  /**
   * The queue's worker. A failure is told to the user when no attempt follows (a refused request never gets one:
   * FinalFailure); an attempt that will be tried again fails quietly, its delivery saved with the job for the next.
   */
  readonly run = async (job: JobRecord, signal: AbortSignal, attempt: JobAttempt = { final: true }): Promise<void> => {
    const started = performance.now();
    const { payload } = job;
    const delivery = this.replies.delivery(job);
    try {
      await this.makeTakes(payload, delivery, signal);
      this.replies.recordJobTime(performance.now() - started);
    } catch (error) {
      if (signal.aborted) throw error;
      if (isUserFacing(error)) {
        this.log.info({ job: job.id, reason: error.message }, 'request refused');
        await delivery.fail(error.message).catch((failure: unknown) => this.log.warn({ err: failure, job: job.id }, 'could not tell the user'));
        throw new FinalFailure(error.message, { cause: error });
      }
      if (!attempt.final) {
        this.log.warn({ err: error, job: job.id, kind: payload.kind }, 'job attempt failed: it will be tried again');
      } else {
        this.log.error({ err: error, job: job.id, kind: payload.kind }, 'job failed');
        await delivery.fail(JOB_TEXT.genericFailure).catch((failure: unknown) => this.log.warn({ err: failure, job: job.id }, 'could not tell the user'));
      }
      throw error;
    } finally {
      await this.replies.release(job.id);
    }
  };

  private async makeTakes(payload: TakeJobPayload, delivery: Delivery, signal: AbortSignal): Promise<void> {
    const origin = ORIGIN[payload.kind];
    const parent = 'parentTakeId' in payload ? await this.store.getTake(payload.parentTakeId) : undefined;
    if ('parentTakeId' in payload && !parent) throw new TakeGoneError();
    const earlier = await this.store.takesOfRequest(payload.requestId);
    const count = payload.seeds.length;
    // From the request, not the composition, so that a take composed before a restart and posted after says the same.
    const inferred = payload.kind === 'compose' || payload.kind === 'regenerate' ? requestInferences(payload.options) : [];
    for (const [index, seed] of payload.seeds.entries()) {
      let take = earlier.find((candidate) => candidate.seed === seed && candidate.origin === origin);
      if (take?.messageId) continue;
      // Only a take composed in this run knows its sections (the store keeps its tokens): one made before a restart is drawn unmarked.
      let sections: PieceMark[] | undefined;
      if (!take) {
        delivery.progress(workingText('composing', index + 1, count));
        const piece = await this.compose(payload, seed, parent, signal);
        signal.throwIfAborted();
        sections = pieceMarks(piece);
        take = await this.store.addTake({
          requestId: payload.requestId, origin, parentTakeId: parent?.id ?? null,
          instruction: payload.kind === 'vary' ? payload.instruction : null, prompt: piece.prompt, seed, tokens: piece.tokens,
          modelId: piece.modelId, header: { ...piece.header }, forcedTokens: forcedTokenCount(piece), sampling: { ...this.ctx.composer.sampling },
        });
        this.log.info({ take: take.id, request: payload.requestId, origin, seed, bars: piece.header.bars, ms: Math.round(piece.timings.totalMs) }, 'take composed');
      }
      delivery.progress(workingText('rendering', index + 1, count));
      const files = await this.ctx.renderer.render(decodeScore(take.tokens), take.prompt.slice(0, 80), sections);
      signal.throwIfAborted();
      const posted = await delivery.post(takeMessage(take, files, { index, count }, this.ctx.settings.voteEmojis, inferred));
      await this.store.setTakeMessage(take.id, posted.channelId, posted.messageId);
      this.log.info({ take: take.id, message: posted.messageId }, 'take posted');
      await addVoteReactions(this.ctx.rest, posted.channelId, posted.messageId, this.ctx.settings.voteEmojis, this.log);
    }
  }

  private compose(payload: TakeJobPayload, seed: number, parent: TakeRecord | undefined, signal: AbortSignal): Promise<Composition> {
    switch (payload.kind) {
      case 'compose':
      case 'regenerate':
        return this.ctx.composer.compose({ ...payload.options, seed, signal });
      case 'vary':
        return this.ctx.composer.vary(parentPiece(parent!), payload.instruction, { seed, signal });
      case 'extend':
        return this.ctx.composer.extend(parentPiece(parent!), payload.bars, { seed, signal });
      case 'continue':
        return readUploadedMidi(payload.file, this.ctx.settings.maxUploadBytes)
          .then((score) => this.ctx.composer.continuePiece(parentFromScore(score), payload.bars, { instruction: payload.instruction, seed, signal }));
      case 'restyle':
        return readUploadedMidi(payload.file, this.ctx.settings.maxUploadBytes)
          .then((score) => this.ctx.composer.restyle(score, payload.prompt, { keep: payload.keep, seed, signal }));
    }
  }
}
