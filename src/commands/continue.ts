/** /continue: a MIDI file a person sends, unchanged, then new bars that carry it on (the engine's continuePiece). */
import { SlashCommandBuilder } from 'discord.js';
import { MAX_PROMPT_LENGTH } from '../jobs/compose-options.ts';
import type { SlashCommand } from './command.ts';
import { answerPrivately, seedsFor, submitFromInteraction } from './submit.ts';
import { attachedMidi } from './upload.ts';

/** New bars when the user does not say: as many as `motif continue` adds. */
export const DEFAULT_CONTINUE_BARS = 8;
export const MAX_CONTINUE_BARS = 32;

export const continueCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('continue')
    .setDescription('Carry on a MIDI file: your bars come back unchanged, then new ones')
    .addAttachmentOption((option) => option.setName('file').setDescription('A MIDI file (.mid)').setRequired(true))
    .addStringOption((option) => option.setName('prompt').setDescription('What the new part should do, e.g. "then build up with drums"').setMaxLength(MAX_PROMPT_LENGTH))
    .addIntegerOption((option) => option.setName('bars').setDescription('How many bars to add').setMinValue(1).setMaxValue(MAX_CONTINUE_BARS)),

  async execute(interaction, ctx) {
    const file = await attachedMidi(interaction, ctx);
    if (!file) return;
    const instruction = interaction.options.getString('prompt')?.trim() ?? '';
    if (instruction.length > MAX_PROMPT_LENGTH) {
      await answerPrivately(interaction, `The prompt is too long: at most ${MAX_PROMPT_LENGTH} characters.`);
      return;
    }
    const bars = interaction.options.getInteger('bars') ?? DEFAULT_CONTINUE_BARS;
    await submitFromInteraction(interaction, ctx, async () => {
      // Stored in a compose request's shape (a prompt); its takes' Regenerate says the file is not kept (take-buttons.ts).
      const request = await ctx.store.createRequest({
        userId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId, prompt: `continue ${file.name}`,
        options: { prompt: instruction },
      });
      return { kind: 'continue', requestId: request.id, file, instruction, bars, seeds: seedsFor(1) as [number] };
    });
  },
};
