/** /stats: pieces, votes and the queue right now. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import { NO_MENTIONS } from '../jobs/messages.ts';
import type { QueueSnapshot } from '../queue/take-queue.ts';
import type { StoreStats } from '../store/types.ts';
import type { SlashCommand } from './command.ts';

export function statsText(stats: StoreStats, queue: QueueSnapshot, voteEmojis: readonly string[]): string {
  return [
    `**Pieces:** ${stats.takes} takes for ${stats.requests} requests (${stats.variations} variations)`,
    `**Votes:** ${stats.upVotes} ${voteEmojis[0]}  ${stats.downVotes} ${voteEmojis[1]} from ${stats.voters} people`,
    `**Queue:** ${queue.running} being made, ${queue.waiting} waiting (room for ${queue.concurrency} at once and ${queue.maxWaiting} in line)`,
  ].join('\n');
}

export const stats: SlashCommand = {
  data: new SlashCommandBuilder().setName('stats').setDescription('Pieces, votes and the queue'),
  async execute(interaction, ctx) {
    const text = statsText(await ctx.store.stats(), await ctx.queue.snapshot(), ctx.settings.voteEmojis);
    await interaction.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  },
};
