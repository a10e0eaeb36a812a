/** /stats: servers, pieces, votes and the queue right now, for the whole fleet (every shard, every worker). */
import { MessageFlags, SlashCommandBuilder, type Client } from 'discord.js';
import { NO_MENTIONS } from '../jobs/messages.ts';
import type { QueueSnapshot } from '../queue/take-queue.ts';
import type { StoreStats } from '../store/types.ts';
import type { SlashCommand } from './command.ts';

export function statsText(stats: StoreStats, queue: QueueSnapshot, voteEmojis: readonly string[], servers: number): string {
  return [
    `**Servers:** ${servers}`,
    `**Pieces:** ${stats.takes} takes for ${stats.requests} requests (${stats.variations} variations)`,
    `**Votes:** ${stats.upVotes} ${voteEmojis[0]}  ${stats.downVotes} ${voteEmojis[1]} from ${stats.voters} people`,
    `**Queue:** ${queue.running} being made, ${queue.waiting} waiting (room for ${queue.concurrency} at once and ${queue.maxWaiting} in line)`,
  ].join('\n');
}

/** Servers the bot is in: this process's, or with shards the sum of every shard's. */
async function serverCount(client: Client): Promise<number> {
  if (!client.shard) return client.guilds.cache.size;
  const counts = await client.shard.fetchClientValues('guilds.cache.size') as number[];
  return counts.reduce((sum, count) => sum + count, 0);
}

export const stats: SlashCommand = {
  data: new SlashCommandBuilder().setName('stats').setDescription('Servers, pieces, votes and the queue'),
  async execute(interaction, ctx) {
    // With shards the count asks every shard, a round trip that may outlast Discord's 3 s to answer: acknowledge first.
    if (ctx.client.shard) await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const [store, queue, servers] = await Promise.all([ctx.store.stats(), ctx.queue.snapshot(), serverCount(ctx.client)]);
    const content = statsText(store, queue, ctx.settings.voteEmojis, servers);
    if (interaction.deferred) await interaction.editReply({ content, allowedMentions: NO_MENTIONS });
    else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  },
};
