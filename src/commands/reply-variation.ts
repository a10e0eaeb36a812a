/**
 * A reply to a take, in words ("faster and add strings", "make it sadder"), asks for a variation of it. Without the
 * privileged Message Content intent Discord only shows the bot messages that mention it, so then the reply must
 * mention the bot; with the intent (MOTIF_MESSAGE_CONTENT) any reply to a take counts.
 */
import type { Message } from 'discord.js';
import { MAX_PROMPT_LENGTH } from '../jobs/compose-options.ts';
import { NO_MENTIONS } from '../jobs/messages.ts';
import type { BotContext } from './context.ts';
import { TEXT } from './messages.ts';
import { submitFromMessage } from './submit.ts';
import { variationJob } from './take-buttons.ts';

/** The reply's words without mentions of the bot. */
export function instructionOf(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

export async function handleReply(message: Message, ctx: BotContext): Promise<void> {
  const botId = ctx.client.user?.id;
  if (!botId || message.author.bot || message.system) return;
  const mentioned = message.mentions.users.has(botId);
  const referenced = message.reference?.messageId;
  const answer = (content: string) => message.reply({ content, allowedMentions: NO_MENTIONS });
  if (!referenced) {
    if (mentioned) await answer(TEXT.noReplyHere);
    return;
  }
  if (!mentioned && !ctx.settings.messageContent) return;
  const take = await ctx.store.takeByMessage(referenced);
  if (!take) {
    // Replies between people are none of the bot's business; a reply to the bot, or one that calls it, gets an answer.
    const toBot = message.mentions.repliedUser?.id === botId;
    if (mentioned || toBot) await answer(TEXT.notATake);
    return;
  }
  const instruction = instructionOf(message.content, botId);
  if (instruction === '') {
    await answer(ctx.settings.messageContent || mentioned ? TEXT.emptyInstruction : TEXT.unreadableReply);
    return;
  }
  if (instruction.length > MAX_PROMPT_LENGTH) {
    await answer(TEXT.instructionTooLong);
    return;
  }
  await submitFromMessage(message, ctx, () => variationJob(ctx, take, instruction, message.author.id, message.guildId, message.channelId));
}
