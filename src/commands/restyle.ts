/** /restyle: a MIDI file's melody kept note for note, everything else new from the prompt (the engine's restyle). */
import { SlashCommandBuilder } from 'discord.js';
import { MAX_PROMPT_LENGTH } from '../jobs/compose-options.ts';
import type { SlashCommand } from './command.ts';
import { answerPrivately, seedsFor, submitFromInteraction } from './submit.ts';
import { attachedMidi } from './upload.ts';

const MAX_KEEP_LENGTH = 60;

export const restyleCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('restyle')
    .setDescription('Keep the melody of a MIDI file and write a new band around it')
    .addAttachmentOption((option) => option.setName('file').setDescription('A MIDI file (.mid)').setRequired(true))
    .addStringOption((option) => option.setName('prompt').setDescription('The new style, e.g. "as a bossa nova"').setRequired(true).setMaxLength(MAX_PROMPT_LENGTH))
    .addStringOption((option) => option.setName('keep').setDescription('The part to keep, e.g. "flute" (the melody when left out)').setMaxLength(MAX_KEEP_LENGTH)),

  async execute(interaction, ctx) {
    const file = await attachedMidi(interaction, ctx);
    if (!file) return;
    const prompt = interaction.options.getString('prompt', true).trim();
    const keep = interaction.options.getString('keep')?.trim() || undefined;
    if (prompt === '' || prompt.length > MAX_PROMPT_LENGTH || (keep?.length ?? 0) > MAX_KEEP_LENGTH) {
      await answerPrivately(interaction, `Say the new style in 1 to ${MAX_PROMPT_LENGTH} characters, and the part to keep in at most ${MAX_KEEP_LENGTH}.`);
      return;
    }
    await submitFromInteraction(interaction, ctx, async () => {
      const request = await ctx.store.createRequest({
        userId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId, prompt: `restyle ${file.name}: ${prompt}`,
        options: { prompt },
      });
      return { kind: 'restyle', requestId: request.id, file, prompt, ...(keep ? { keep } : {}), seeds: seedsFor(1) as [number] };
    });
  },
};
