/**
 * Vote reactions on takes: the first configured emoji is an up vote, the second a down vote, in any skin tone (👍🏽
 * is 👍). One vote per person per take, the latest reaction winning. A vote is a reaction people can see: taking a
 * reaction back takes its vote back, unless that person's other vote emoji still shows under the message (then that
 * one counts); reactions a moderator clears (all, or one emoji's) and those of a deleted message take their votes
 * with them. The bot's own reactions do not count. Works on messages from before a restart: only ids are needed,
 * which partial reactions carry.
 */
import {
  DiscordAPIError, RESTJSONErrorCodes, Routes, type APIMessage, type APIUser, type Message, type MessageReaction, type PartialMessage,
  type PartialMessageReaction, type PartialUser, type User,
} from 'discord.js';
import type { TakeRecord, VoteValue } from '../store/types.ts';
import type { BotContext } from './context.ts';

interface Vote {
  value: VoteValue;
  /** How the store records the emoji (emojiKey). */
  key: string;
}

/** Fitzpatrick modifiers: 👍🏻 to 👍🏿 are 👍 for voting. */
const SKIN_TONES = /[\u{1F3FB}-\u{1F3FF}]/gu;

/** How an emoji is compared: a custom emoji by id, a unicode one by itself without its skin tone. */
export function emojiKey(emoji: string): string {
  return /^<a?:\w+:(\d+)>$/.exec(emoji)?.[1] ?? emoji.replace(SKIN_TONES, '');
}

function voteOf(emoji: { id: string | null; name: string | null }, ctx: BotContext): Vote | undefined {
  const key = emoji.id ?? (emoji.name === null ? null : emojiKey(emoji.name));
  if (!key) return undefined;
  const index = ctx.settings.voteEmojis.map(emojiKey).indexOf(key);
  return index < 0 ? undefined : { value: index === 0 ? 1 : -1, key };
}

function countsAsVoter(user: User | PartialUser, ctx: BotContext): boolean {
  return user.id !== ctx.client.user?.id && user.bot !== true;
}

/**
 * The vote a person's reactions under a message still show, if any: the message as Discord has it now, then for each
 * vote emoji under it one page of its users starting just before this person (one request per emoji shown).
 */
async function shownVote(message: Message | PartialMessage, userId: string, ctx: BotContext): Promise<Vote | undefined> {
  const current = await message.fetch(true);
  for (const reaction of current.reactions.cache.values()) {
    const vote = voteOf(reaction.emoji, ctx);
    if (!vote || !reaction.count) continue;
    const users = await reaction.users.fetch({ after: String(BigInt(userId) - 1n), limit: 1 });
    if (users.has(userId)) return vote;
  }
  return undefined;
}

export async function handleReactionAdd(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  const vote = voteOf(reaction.emoji, ctx);
  if (!vote || !countsAsVoter(user, ctx)) return;
  const take = await ctx.store.takeByMessage(reaction.message.id);
  if (!take) return;
  await ctx.store.setVote(take.id, user.id, vote.value, vote.key);
  ctx.log.info({ take: take.id, user: user.id, value: vote.value }, 'vote');
}

export async function handleReactionRemove(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, ctx: BotContext): Promise<void> {
  const vote = voteOf(reaction.emoji, ctx);
  if (!vote || !countsAsVoter(user, ctx)) return;
  const take = await ctx.store.takeByMessage(reaction.message.id);
  // Removing an older, replaced reaction changes nothing.
  if (!take || !(await ctx.store.removeVote(take.id, user.id, vote.key))) return;
  const still = await shownVote(reaction.message, user.id, ctx);
  if (still) {
    await ctx.store.setVote(take.id, user.id, still.value, still.key);
    ctx.log.info({ take: take.id, user: user.id, value: still.value }, 'vote: the other vote emoji still shows');
  } else {
    ctx.log.info({ take: take.id, user: user.id }, 'vote removed');
  }
}

/** A moderator cleared one emoji's reactions: those votes go, except where the person's other vote emoji still shows. */
export async function handleEmojiCleared(reaction: MessageReaction | PartialMessageReaction, ctx: BotContext): Promise<void> {
  const vote = voteOf(reaction.emoji, ctx);
  if (!vote) return;
  const take = await ctx.store.takeByMessage(reaction.message.id);
  if (!take) return;
  const cleared = await ctx.store.clearVotes(take.id, vote.key);
  let kept = 0;
  for (const userId of cleared) {
    const still = await shownVote(reaction.message, userId, ctx);
    if (!still) continue;
    await ctx.store.setVote(take.id, userId, still.value, still.key);
    kept += 1;
  }
  if (cleared.length) ctx.log.info({ take: take.id, removed: cleared.length - kept, kept }, 'votes of a cleared emoji removed');
}

/** Every reaction under a take is gone (cleared by a moderator, or the message deleted): so are its votes. */
export async function handleReactionsGone(message: Message | PartialMessage, ctx: BotContext, why: 'cleared' | 'message deleted'): Promise<void> {
  const take = await ctx.store.takeByMessage(message.id);
  if (!take) return;
  const cleared = await ctx.store.clearVotes(take.id);
  if (cleared.length) ctx.log.info({ take: take.id, removed: cleared.length, why }, 'votes removed');
}

/** Takes whose votes start-up checks: the last ones posted, where votes cast while the bot was away are likely. */
export const RECONCILED_TAKES = 50;

/**
 * Votes cast or taken back while the bot was offline or reconnecting (Discord does not replay missed reactions): the
 * reactions under the last posted takes, read from Discord, become their votes. Per take: one request for the
 * message, then one per page of 100 users for each vote emoji under it. A person's vote stands if its emoji still
 * shows; otherwise the vote emoji they show counts, and with none their vote goes.
 */
export async function reconcileVotes(ctx: BotContext, limit = RECONCILED_TAKES): Promise<{ takes: number; changed: number }> {
  const takes = (await ctx.store.postedTakes(limit)).filter((take) => isMine(take, ctx));
  let changed = 0;
  for (const take of takes) {
    try {
      changed += await reconcileTake(take, ctx);
    } catch (error) {
      ctx.log.warn({ err: error, take: take.id }, 'could not read the votes under a take');
    }
  }
  if (changed) ctx.log.info({ takes: takes.length, changed }, 'votes cast while away counted');
  return { takes: takes.length, changed };
}

/**
 * Whether this process counts a take's votes at start-up: with shards, each shard those in the channels of its own
 * servers (so a shard that restarts counts what it missed), and the first shard every other take too (direct
 * messages, which are its own, and the servers of shards not up yet; counting twice sets the same votes).
 */
function isMine(take: TakeRecord, ctx: BotContext): boolean {
  const { shard } = ctx.client;
  if (!shard || !take.channelId) return true;
  return ctx.client.channels.cache.has(take.channelId) || shard.ids.includes(0);
}

async function reconcileTake(take: TakeRecord, ctx: BotContext): Promise<number> {
  const { channelId, messageId } = take;
  if (!channelId || !messageId) return 0;
  let message: APIMessage;
  try {
    message = await ctx.client.rest.get(Routes.channelMessage(channelId, messageId)) as APIMessage;
  } catch (error) {
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) return (await ctx.store.clearVotes(take.id)).length;
    throw error;
  }
  const shown = new Map<string, Vote[]>();
  for (const reaction of message.reactions ?? []) {
    const vote = voteOf(reaction.emoji, ctx);
    if (!vote) continue;
    const emoji = encodeURIComponent(reaction.emoji.id ? `${reaction.emoji.name}:${reaction.emoji.id}` : reaction.emoji.name!);
    for (let after = '0'; ;) {
      const page = await ctx.client.rest.get(Routes.channelMessageReaction(channelId, messageId, emoji), {
        query: new URLSearchParams({ limit: '100', after }),
      }) as APIUser[];
      for (const user of page) if (!user.bot) shown.set(user.id, [...(shown.get(user.id) ?? []), vote]);
      if (page.length < 100) break;
      after = page[page.length - 1].id;
    }
  }
  let changed = 0;
  const stored = new Map((await ctx.store.votesOnTake(take.id)).map((vote) => [vote.userId, vote]));
  for (const [userId, votes] of shown) {
    const current = stored.get(userId);
    if (current && votes.some((vote) => vote.key === current.emoji && vote.value === current.value)) continue;
    await ctx.store.setVote(take.id, userId, votes[0].value, votes[0].key);
    changed += 1;
  }
  for (const [userId, vote] of stored) {
    if (shown.has(userId)) continue;
    await ctx.store.removeVote(take.id, userId, vote.emoji);
    changed += 1;
  }
  return changed;
}
