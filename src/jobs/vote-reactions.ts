/** The vote reactions the bot puts under each take it posts, so that voting is one click. */
import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';

/** The path segment Discord wants for a reaction: the unicode emoji, or name:id for a custom one. */
export function reactionPath(emoji: string): string {
  const custom = /^<a?:(\w+):(\d+)>$/.exec(emoji);
  return encodeURIComponent(custom ? `${custom[1]}:${custom[2]}` : emoji);
}

/** Reacts with each emoji; one that fails is logged and skipped, the take stays posted. */
export async function addVoteReactions(rest: REST, channelId: string, messageId: string, emojis: readonly string[], log: Logger): Promise<void> {
  for (const emoji of emojis) {
    try {
      await rest.put(Routes.channelMessageOwnReaction(channelId, messageId, reactionPath(emoji)));
    } catch (error) {
      log.warn({ err: error, message: messageId }, 'could not add a vote reaction');
    }
  }
}
