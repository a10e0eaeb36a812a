/** Gateway events to command handlers. A handler's failure is logged and, where it can be, answered in plain words. */
import { Events, type Client, type Interaction } from 'discord.js';
import { COMMANDS } from '../commands/index.ts';
import type { BotContext } from '../commands/context.ts';
import { TEXT } from '../commands/messages.ts';
import { handleReply } from '../commands/reply-variation.ts';
import { answerFailure, answerPrivately } from '../commands/submit.ts';
import { handleTakeButton, handleVaryModal, isTakeButton, isVaryModal } from '../commands/take-buttons.ts';
import { handleEmojiCleared, handleReactionAdd, handleReactionRemove, handleReactionsGone } from '../commands/votes.ts';

async function routeInteraction(interaction: Interaction, ctx: BotContext): Promise<void> {
  if (interaction.isChatInputCommand()) {
    const command = COMMANDS.get(interaction.commandName);
    if (command) await command.execute(interaction, ctx);
    else await answerPrivately(interaction, TEXT.unknownCommand);
  } else if (interaction.isButton() && isTakeButton(interaction.customId)) {
    await handleTakeButton(interaction, ctx);
  } else if (interaction.isModalSubmit() && isVaryModal(interaction.customId)) {
    await handleVaryModal(interaction, ctx);
  } else if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
    // A component of an older version, or of another bot's making: a plain word, not "This interaction failed".
    await answerPrivately(interaction, TEXT.unknownComponent);
  }
}

export function wireEvents(client: Client, ctx: BotContext): void {
  const guard = (event: string, work: () => Promise<void>, onError?: () => Promise<unknown>) => {
    work().catch(async (error: unknown) => {
      ctx.log.error({ err: error, event }, 'event handler failed');
      await onError?.().catch(() => {});
    });
  };
  client.on(Events.InteractionCreate, (interaction) => guard('interaction', () => routeInteraction(interaction, ctx), async () => {
    if (interaction.isRepliable()) await answerFailure(interaction);
  }));
  client.on(Events.MessageCreate, (message) => guard('message', () => handleReply(message, ctx)));
  client.on(Events.MessageReactionAdd, (reaction, user) => guard('reaction add', () => handleReactionAdd(reaction, user, ctx)));
  client.on(Events.MessageReactionRemove, (reaction, user) => guard('reaction remove', () => handleReactionRemove(reaction, user, ctx)));
  client.on(Events.MessageReactionRemoveEmoji, (reaction) => guard('reaction emoji cleared', () => handleEmojiCleared(reaction, ctx)));
  client.on(Events.MessageReactionRemoveAll, (message) => guard('reactions cleared', () => handleReactionsGone(message, ctx, 'cleared')));
  client.on(Events.MessageDelete, (message) => guard('message delete', () => handleReactionsGone(message, ctx, 'message deleted')));
  client.on(Events.Error, (error) => ctx.log.error({ err: error }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event, shard) => ctx.log.warn({ code: event.code, shard }, 'gateway disconnected'));
}
