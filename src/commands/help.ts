/** /help: what Motif does, with examples. */
import { MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from './command.ts';
import { NO_MENTIONS } from '../jobs/messages.ts';

export function helpText(voteEmojis: readonly string[], messageContent: boolean): string {
  const replying = messageContent
    ? 'Reply to a take with words to get a variation:'
    : 'Reply to a take and mention me to get a variation:';
  const mention = messageContent ? '' : '@Motif ';
  return [
    '**Motif writes music from words.**',
    '`/compose prompt: lofi piano beat 90bpm in A minor`',
    '`/compose prompt: epic orchestral battle theme bpm: 140 bars: 16`',
    '`/compose prompt: jazz trio, walking bass instruments: piano, double bass, drums key: Bb major`',
    '',
    `${replying} \`${mention}faster and add strings\`, \`${mention}make it sadder\`, \`${mention}drop the drums\`, \`${mention}in D minor\`.`,
    'Your own MIDI file: `/continue file: sketch.mid bars: 8` carries it on; `/restyle file: tune.mid prompt: as a bossa nova` keeps its melody and writes a new band.',
    'Buttons under each take: **Vary** (say how), **Regenerate** (another take of the same prompt), **Extend** (make it longer).',
    `Vote with ${voteEmojis.join(' ')} under a take: votes teach the next model what people like.`,
    '`/stats` shows how many pieces and votes there are, and the queue.',
  ].join('\n');
}

export const help: SlashCommand = {
  data: new SlashCommandBuilder().setName('help').setDescription('How to use Motif, with examples'),
  async execute(interaction, ctx) {
    await interaction.reply({ content: helpText(ctx.settings.voteEmojis, ctx.settings.messageContent), flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS });
  },
};
