/**
 * Vote reactions on takes: the first configured emoji is an up vote, the second a down vote. One vote per person per
 * take (the latest reaction wins); taking a reaction back takes its vote back; the bot's own reactions do not count.
 * Works on messages from before a restart: only ids are needed, which partial reactions carry.
 */
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { VoteValue } from '../store/types.ts';
import type { BotContext } from './context.ts';

/** How an emoji is compared: a custom emoji by id, a unicode one by itself. */
export function emojiKey(emoji: string): string {
  return /^<a?:\w+:(\d+)>$/.exec(emoji)?.[1] ?? emoji;
}

function voteOf(reaction: MessageReaction | PartialMessageReaction, ctx: BotContext): { value: VoteValue; key: string } | undefined {
  const key = reaction.emoji.id ?? reaction.emoji.name;
  if (!key) return undefined;
  const index = ctx.settings.voteEmojis.map(emojiKey).indexOf(key);
  return index < 0 ? undefined : { value: index === 0 ? 1 : -1, key };
}

function countsAsVoter(user: User | PartialUser, ctx: BotContext): boolean {
  return user.id !== ctx.client.user?.id && user.bot !== true;
}

export async function handleReactionAdd(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  const vote = voteOf(reaction, ctx);
  if (!vote || !countsAsVoter(user, ctx)) return;
  const take = await ctx.store.takeByMessage(reaction.message.id);
  if (!take) return;
  await ctx.store.setVote(take.id, user.id, vote.value, vote.key);
  ctx.log.info({ take: take.id, user: user.id, value: vote.value }, 'vote');
}

export async function handleReactionRemove(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  const vote = voteOf(reaction, ctx);
  if (!vote || !countsAsVoter(user, ctx)) return;
  const take = await ctx.store.takeByMessage(reaction.message.id);
  if (!take) return;
  if (await ctx.store.removeVote(take.id, user.id, vote.key)) ctx.log.info({ take: take.id, user: user.id }, 'vote removed');
}
