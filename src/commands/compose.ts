/** /compose: a prompt (and optional tempo, key, bars, instruments, seed, takes) to takes posted in the channel. */
import { SlashCommandBuilder } from 'discord.js';
import { MAX_BPM, MIN_BPM } from '../music/grid.ts';
import { MAX_BARS } from '../text/prompt.ts';
import type { SlashCommand } from './command.ts';
import {
  MAX_INSTRUMENTS_LENGTH, MAX_KEY_LENGTH, MAX_PROMPT_LENGTH, MAX_SEED, MAX_TAKES, checkComposeOptions,
} from '../jobs/compose-options.ts';
import { answerPrivately, seedsFor, submitFromInteraction } from './submit.ts';

export const compose: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('compose')
    .setDescription('Compose music from a description')
    .addStringOption((option) => option.setName('prompt').setDescription('What to play, e.g. "lofi piano beat 90bpm in A minor"')
      .setRequired(true).setMaxLength(MAX_PROMPT_LENGTH))
    .addIntegerOption((option) => option.setName('bpm').setDescription('Tempo in beats per minute').setMinValue(MIN_BPM).setMaxValue(MAX_BPM))
    .addStringOption((option) => option.setName('key').setDescription('Key, e.g. "F# minor" or "Bb major"').setMaxLength(MAX_KEY_LENGTH))
    .addIntegerOption((option) => option.setName('bars').setDescription('Length in bars').setMinValue(1).setMaxValue(MAX_BARS))
    .addStringOption((option) => option.setName('instruments').setDescription('Instruments, e.g. "piano, strings, drums"').setMaxLength(MAX_INSTRUMENTS_LENGTH))
    .addIntegerOption((option) => option.setName('seed').setDescription('Seed, to get the same piece again').setMinValue(0).setMaxValue(MAX_SEED))
    .addIntegerOption((option) => option.setName('takes').setDescription('How many takes to write').setMinValue(1).setMaxValue(MAX_TAKES)),

  async execute(interaction, ctx) {
    const checked = checkComposeOptions({
      prompt: interaction.options.getString('prompt'),
      bpm: interaction.options.getInteger('bpm'),
      key: interaction.options.getString('key'),
      bars: interaction.options.getInteger('bars'),
      instruments: interaction.options.getString('instruments'),
      seed: interaction.options.getInteger('seed'),
      takes: interaction.options.getInteger('takes'),
    }, ctx.settings.takes);
    if (!checked.ok) {
      await answerPrivately(interaction, checked.error);
      return;
    }
    const { options, takes } = checked;
    await submitFromInteraction(interaction, ctx, async () => {
      const request = await ctx.store.createRequest({
        userId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId, prompt: options.prompt,
        options: { ...options },
      });
      return { kind: 'compose', requestId: request.id, options, seeds: seedsFor(takes, options.seed) };
    });
  },
};
