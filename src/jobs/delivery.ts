/**
 * Where a job's messages go, and in what order. A slash command's job answers through the interaction's webhook:
 * progress and the first take replace the deferred reply, later takes are follow-ups. Interaction tokens die 15
 * minutes after the interaction, so close to that (or once the webhook refuses the token) the job posts to the
 * channel instead. A reply's job answers in the channel, as replies to the user's message.
 *
 * Operations run one at a time, in the order asked; progress is best-effort and throttled, the latest text winning.
 * The target is saved with the job, so a restart carries on where the last run stopped.
 */
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, Routes, type APIMessage, type REST } from 'discord.js';
import type { Logger } from 'pino';
import type { JobStore, ReplyTarget } from '../store/types.ts';
import { JOB_TEXT, NO_MENTIONS } from './messages.ts';
import { restMessage, type OutgoingMessage } from './rest-message.ts';

export interface PostedMessage {
  channelId: string;
  messageId: string;
}

export interface DeliveryDeps {
  /** Discord's REST API with the bot's token: everything here goes through it, no gateway needed. */
  rest: REST;
  applicationId: string;
  store: Pick<JobStore, 'updateJobReply'>;
  log: Logger;
  progressIntervalMs: number;
  now?: () => number;
}

/** How long before its token dies an interaction stops being used (an upload of a few MB must fit). */
export const TOKEN_SAFETY_MS = 60_000;

const DEAD_TOKEN_CODES = new Set<number | string>([RESTJSONErrorCodes.InvalidWebhookToken, RESTJSONErrorCodes.UnknownWebhook, RESTJSONErrorCodes.UnknownInteraction]);

export class Delivery {
  private chain: Promise<unknown> = Promise.resolve();
  private pendingProgress: string | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  private closed = false;

  constructor(private readonly deps: DeliveryDeps, readonly jobId: number, private target: ReplyTarget) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** True when the interaction's token will be dead in `withinMs` (then messages go to the channel). */
  tokenExpiresWithin(withinMs: number): boolean {
    return this.target.type === 'interaction' && this.target.expiresAt - this.now() < withinMs + TOKEN_SAFETY_MS;
  }

  /** Shows `text` where the music will appear, soon; a later call before it is shown replaces it. */
  progress(text: string): void {
    if (this.closed) return;
    this.pendingProgress = text;
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgressAt + this.deps.progressIntervalMs - this.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      const pending = this.pendingProgress;
      this.pendingProgress = undefined;
      if (pending === undefined) return;
      this.lastProgressAt = this.now();
      this.run(() => this.showProgress(pending)).catch((error: unknown) => {
        this.deps.log.debug({ err: error, job: this.jobId }, 'progress update failed');
      });
    }, wait);
  }

  /** Posts a take (or any message): the first replaces the progress, later ones are new messages. */
  post(payload: OutgoingMessage): Promise<PostedMessage> {
    this.dropProgress();
    return this.run(() => this.postNow(payload));
  }

  /** Says what went wrong where the music would have been. */
  fail(text: string): Promise<void> {
    this.dropProgress();
    return this.run(() => this.failNow(text));
  }

  /** Waits for what was asked so far, and drops progress not yet shown. */
  async close(): Promise<void> {
    this.closed = true;
    this.dropProgress();
    await this.chain.catch(() => {});
  }

  private dropProgress(): void {
    this.pendingProgress = undefined;
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
  }

  private run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.chain.then(operation, operation);
    this.chain = result.catch(() => {});
    return result;
  }

  private async setTarget(target: ReplyTarget): Promise<void> {
    this.target = target;
    await this.deps.store.updateJobReply(this.jobId, target);
  }

  /** The interaction's token while it has time left; undefined once the job must use the channel. */
  private async webhookToken(): Promise<string | undefined> {
    const target = this.target;
    if (target.type !== 'interaction') return undefined;
    if (target.expiresAt - this.now() > TOKEN_SAFETY_MS) return target.token;
    await this.moveToChannel(target.expiresAt > this.now());
    return undefined;
  }

  /**
   * From here on the job posts in the channel, mentioning its user (who may have stopped watching). While the token
   * still works, the reply that says "Composing…" says so instead of staying stale; once Discord refused the token,
   * nothing can edit it any more.
   */
  private async moveToChannel(tokenAlive: boolean): Promise<void> {
    const target = this.target;
    if (target.type !== 'interaction') return;
    this.deps.log.info({ job: this.jobId, tokenAlive }, 'interaction token expiring: posting to the channel');
    if (tokenAlive && !target.originalUsed) {
      await this.editOriginal(target.token, { content: JOB_TEXT.movedToChannel, allowedMentions: NO_MENTIONS })
        .catch((error: unknown) => this.deps.log.debug({ err: error, job: this.jobId }, 'could not say the music goes to the channel'));
    }
    await this.setTarget({ type: 'channel', userId: target.userId, channelId: target.channelId, fromInteraction: true });
  }

  /** Runs `viaWebhook` while the token works, else (or when Discord refuses the token) `viaChannel`. */
  private async either<T>(viaWebhook: (token: string) => Promise<T>, viaChannel: () => Promise<T>): Promise<T> {
    const token = await this.webhookToken();
    if (!token) return viaChannel();
    try {
      return await viaWebhook(token);
    } catch (error) {
      if (!(error instanceof DiscordAPIError) || !DEAD_TOKEN_CODES.has(error.code)) throw error;
      await this.moveToChannel(false);
      return viaChannel();
    }
  }

  // ---- Discord's REST routes: the interaction's webhook (no bot token: the interaction's own) and the channel ----

  private editOriginal(token: string, message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = restMessage(message);
    return this.deps.rest.patch(Routes.webhookMessage(this.deps.applicationId, token, '@original'), { body, files, auth: false }) as Promise<APIMessage>;
  }

  private followUp(token: string, message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = restMessage(message);
    return this.deps.rest.post(Routes.webhook(this.deps.applicationId, token), {
      body, files, auth: false, query: new URLSearchParams({ wait: 'true' }),
    }) as Promise<APIMessage>;
  }

  private createInChannel(message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = restMessage(message);
    return this.deps.rest.post(Routes.channelMessages(this.target.channelId), { body, files }) as Promise<APIMessage>;
  }

  private editInChannel(messageId: string, message: OutgoingMessage): Promise<APIMessage> {
    const { body, files } = restMessage(message);
    return this.deps.rest.patch(Routes.channelMessage(this.target.channelId, messageId), { body, files }) as Promise<APIMessage>;
  }

  /** A message from the channel path: a reply to the user's message, or a line that says whose piece it is. */
  private async sendToChannel(payload: OutgoingMessage): Promise<APIMessage> {
    const target = this.target;
    if (target.type !== 'channel') throw new Error('not a channel target');
    // A job whose interaction ran out tells its user where the music is: a mention of that one person.
    const allowedMentions = target.fromInteraction ? { ...NO_MENTIONS, users: [target.userId] } : NO_MENTIONS;
    const options = { ...payload, allowedMentions };
    if (target.replyTo) return this.createInChannel({ ...options, replyTo: target.replyTo });
    const owner = `For <@${target.userId}>:`;
    return this.createInChannel({ ...options, content: payload.content ? `${owner} ${payload.content}` : owner });
  }

  private async showProgress(text: string): Promise<void> {
    const content = { content: text, allowedMentions: NO_MENTIONS };
    await this.either(async (token) => {
      if (this.target.type === 'interaction' && !this.target.originalUsed) await this.editOriginal(token, content);
    }, async () => {
      const target = this.target;
      if (target.type !== 'channel' || target.fromInteraction) return; // a channel post for an interaction: no progress spam
      if (target.progressMessageId) {
        await this.editInChannel(target.progressMessageId, content);
      } else {
        const message = await this.sendToChannel(content);
        await this.setTarget({ ...target, progressMessageId: message.id });
      }
    });
  }

  private async postNow(payload: OutgoingMessage): Promise<PostedMessage> {
    const options = { ...payload, allowedMentions: NO_MENTIONS };
    const message = await this.either(async (token) => {
      const target = this.target;
      if (target.type !== 'interaction') throw new Error('not an interaction target');
      if (target.originalUsed) return this.followUp(token, options);
      const edited = await this.editOriginal(token, options);
      await this.setTarget({ ...target, originalUsed: true });
      return edited;
    }, async () => {
      const target = this.target;
      if (target.type !== 'channel') throw new Error('not a channel target');
      if (!target.progressMessageId) return this.sendToChannel(options);
      const edited = await this.editInChannel(target.progressMessageId, options);
      await this.setTarget({ ...target, progressMessageId: undefined });
      return edited;
    });
    return { channelId: message.channel_id, messageId: message.id };
  }

  private async failNow(text: string): Promise<void> {
    const plain = { content: text, embeds: [], components: [], allowedMentions: NO_MENTIONS };
    await this.either(async (token) => {
      if (this.target.type === 'interaction' && !this.target.originalUsed) await this.editOriginal(token, plain);
      else await this.followUp(token, { ...plain, flags: MessageFlags.Ephemeral });
    }, async () => {
      const target = this.target;
      if (target.type !== 'channel') return;
      if (target.progressMessageId) await this.editInChannel(target.progressMessageId, plain);
      else await this.sendToChannel(plain);
    });
  }
}
