/**
 * Accepting a request that makes music: ask the queue for a place (a refusal is answered at once, privately), then
 * acknowledge and record the job; the queue shows the place in line and the job posts the music.
 */
import { randomInt } from 'node:crypto';
import { MessageFlags, type Message, type RepliableInteraction } from 'discord.js';
import { JOB_TEXT, NO_MENTIONS } from '../jobs/messages.ts';
import type { Ticket } from '../queue/take-queue.ts';
import type { ReplyTarget, TakeJobPayload } from '../store/types.ts';
import type { BotContext } from './context.ts';
import { TEXT, refusalText } from './messages.ts';

const SEED_SPACE = 0x100000000;

/** `count` seeds: from `first` on when the user chose one, else random. */
export function seedsFor(count: number, first?: number): number[] {
  const start = first ?? randomInt(0, SEED_SPACE);
  return Array.from({ length: count }, (_, i) => (first === undefined && i > 0 ? randomInt(0, SEED_SPACE) : (start + i) % SEED_SPACE));
}

/** An ephemeral answer to an interaction, whether or not it was already acknowledged. */
export async function answerPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  const options = { content, allowedMentions: NO_MENTIONS };
  if (interaction.deferred || interaction.replied) await interaction.followUp({ ...options, flags: MessageFlags.Ephemeral });
  else await interaction.reply({ ...options, flags: MessageFlags.Ephemeral });
}

/** The private answer when handling an interaction failed: the same plain words as a job that failed. */
export function answerFailure(interaction: RepliableInteraction): Promise<void> {
  return answerPrivately(interaction, JOB_TEXT.genericFailure);
}

/** Accepts a job for an interaction; `build` records the request and returns the job's payload. */
export async function submitFromInteraction(
  interaction: RepliableInteraction,
  ctx: BotContext,
  build: () => Promise<TakeJobPayload>,
): Promise<void> {
  const channelId = interaction.channelId;
  if (!channelId) {
    await answerPrivately(interaction, TEXT.noChannel);
    return;
  }
  const admission = await ctx.queue.admit(interaction.user.id, interaction.guildId);
  if (!admission.ok) {
    await answerPrivately(interaction, refusalText(admission.refusal));
    return;
  }
  const { ticket } = admission;
  try {
    await interaction.deferReply();
    const payload = await build();
    const reply: ReplyTarget = {
      type: 'interaction', userId: interaction.user.id, channelId, token: interaction.token,
      expiresAt: interaction.createdTimestamp + ctx.interactionLifetimeMs,
    };
    await enqueue(ctx, ticket, payload, { userId: interaction.user.id, guildId: interaction.guildId, channelId, reply });
  } catch (error) {
    ticket.release();
    ctx.log.error({ err: error, user: interaction.user.id }, 'could not accept a request');
    await interaction.editReply({ content: JOB_TEXT.genericFailure, allowedMentions: NO_MENTIONS }).catch(() => {});
  }
}

/** Accepts a job asked for in a message (a reply to a take); the answers are replies to that message. */
export async function submitFromMessage(message: Message, ctx: BotContext, build: () => Promise<TakeJobPayload>): Promise<void> {
  const admission = await ctx.queue.admit(message.author.id, message.guildId);
  if (!admission.ok) {
    await message.reply({ content: refusalText(admission.refusal), allowedMentions: NO_MENTIONS });
    return;
  }
  const { ticket } = admission;
  try {
    const payload = await build();
    const reply: ReplyTarget = { type: 'channel', userId: message.author.id, channelId: message.channelId, replyTo: message.id };
    await enqueue(ctx, ticket, payload, { userId: message.author.id, guildId: message.guildId, channelId: message.channelId, reply });
  } catch (error) {
    ticket.release();
    ctx.log.error({ err: error, user: message.author.id }, 'could not accept a request');
    await message.reply({ content: JOB_TEXT.genericFailure, allowedMentions: NO_MENTIONS }).catch(() => {});
  }
}

async function enqueue(
  ctx: BotContext,
  ticket: Ticket,
  payload: TakeJobPayload,
  where: { userId: string; guildId: string | null; channelId: string; reply: ReplyTarget },
): Promise<void> {
  const { job, position } = await ctx.queue.enqueue(ticket, {
    userId: where.userId, guildId: where.guildId, channelId: where.channelId, requestId: payload.requestId, payload, reply: where.reply,
  });
  ctx.log.info({ job: job.id, kind: payload.kind, user: where.userId, position }, 'job accepted');
}
