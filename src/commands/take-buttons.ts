/**
 * The buttons under a take. Vary asks how (a modal), Regenerate writes another take of the same request (a sibling,
 * for preference pairs), Extend continues the take.
 */
import {
  ActionRowBuilder, ModalBuilder, TextInputBuilder, TextInputStyle, type ButtonInteraction, type ModalSubmitInteraction,
} from 'discord.js';
import { MAX_PROMPT_LENGTH } from '../jobs/compose-options.ts';
import { JOB_TEXT } from '../jobs/messages.ts';
import { parseTakeButtonId } from '../jobs/take-message.ts';
import { isComposeOptions, isExtensionOptions } from '../store/payloads.ts';
import type { TakeJobPayload, TakeRecord } from '../store/types.ts';
import { MAX_BARS } from '../text/prompt.ts';
import type { BotContext } from './context.ts';
import { TEXT } from './messages.ts';
import { answerPrivately, seedsFor, submitFromInteraction } from './submit.ts';

/** Bars an Extend adds: as many as the take has, at most this many. */
export const MAX_EXTEND_BARS = 8;
const VARY_MODAL = /^vary:(\d+)$/;
const INSTRUCTION_FIELD = 'instruction';

export function isTakeButton(customId: string): boolean {
  return parseTakeButtonId(customId) !== undefined;
}

export function isVaryModal(customId: string): boolean {
  return VARY_MODAL.test(customId);
}

/**
 * The take a button (or the modal it opened) is for: the one its id names, if that take is the message the button is
 * on. Ids are never reused within a database, but a database started afresh (a reset, another deployment) numbers
 * from 1 again, and an old message's buttons must not reach the new take that has its number.
 */
async function takeUnder(ctx: BotContext, takeId: number, messageId: string | undefined): Promise<TakeRecord | undefined> {
  const take = await ctx.store.getTake(takeId);
  return take && take.messageId === messageId ? take : undefined;
}

export async function handleTakeButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const parsed = parseTakeButtonId(interaction.customId)!;
  const take = await takeUnder(ctx, parsed.takeId, interaction.message.id);
  if (!take) {
    await answerPrivately(interaction, JOB_TEXT.takeGone);
    return;
  }
  if (parsed.action === 'vary') {
    await interaction.showModal(varyModal(take));
    return;
  }
  if (parsed.action === 'extend') {
    const { bars } = take.header;
    if (bars >= MAX_BARS) {
      await answerPrivately(interaction, `That take already has ${MAX_BARS} bars, the longest Motif writes.`);
      return;
    }
    const added = Math.min(bars, MAX_EXTEND_BARS, MAX_BARS - bars);
    await submitFromInteraction(interaction, ctx, async () => {
      const request = await ctx.store.createRequest({
        userId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId!, prompt: `extend take #${take.id}`,
        options: { parentTakeId: take.id, bars: added },
      });
      return { kind: 'extend', requestId: request.id, parentTakeId: take.id, bars: added, seeds: seedsFor(1) as [number] };
    });
    return;
  }
  const again = await regenerationOf(take, ctx);
  if (typeof again === 'string') {
    await answerPrivately(interaction, again);
    return;
  }
  await submitFromInteraction(interaction, ctx, async () => again);
}

const FILE_NOT_KEPT = 'This take came from a file you sent, which Motif does not keep: send it again with /continue or /restyle.';

/** Another take like `take`: same request, same conditions, a new seed; or why there can be none. */
async function regenerationOf(take: TakeRecord, ctx: BotContext): Promise<TakeJobPayload | string> {
  const request = await ctx.store.getRequest(take.requestId);
  if (!request) return JOB_TEXT.takeGone;
  const seeds = seedsFor(1) as [number];
  // A take of /continue or /restyle (a variation or extension whose request holds a prompt) came from a file, which is
  // not kept (uploaded-midi.ts): there is nothing to make it again from.
  if ((take.origin === 'variation' || take.origin === 'extension') && isComposeOptions(request.options)) return FILE_NOT_KEPT;
  switch (take.origin) {
    case 'compose':
    case 'regenerate': {
      if (!isComposeOptions(request.options)) throw new Error(`request ${request.id} of take ${take.id} holds no compose options`);
      const { seed: _seed, ...options } = request.options;
      return { kind: 'regenerate', requestId: request.id, options, seeds };
    }
    case 'variation':
      if (take.parentTakeId === null || take.instruction === null) return 'The take this one varied is no longer available.';
      return { kind: 'vary', requestId: request.id, parentTakeId: take.parentTakeId, instruction: take.instruction, seeds };
    case 'extension':
      if (take.parentTakeId === null) return 'The take this one extended is no longer available.';
      if (!isExtensionOptions(request.options)) throw new Error(`request ${request.id} of take ${take.id} holds no extension options`);
      return { kind: 'extend', requestId: request.id, parentTakeId: take.parentTakeId, bars: request.options.bars, seeds };
  }
}

function varyModal(take: TakeRecord): ModalBuilder {
  const input = new TextInputBuilder()
    .setCustomId(INSTRUCTION_FIELD)
    .setLabel('How should it change?')
    .setPlaceholder('faster and add strings')
    .setStyle(TextInputStyle.Short)
    .setRequired(true)
    .setMaxLength(MAX_PROMPT_LENGTH);
  return new ModalBuilder()
    .setCustomId(`vary:${take.id}`)
    .setTitle(`Vary take #${take.id}`)
    .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
}

export async function handleVaryModal(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<void> {
  const takeId = Number(VARY_MODAL.exec(interaction.customId)![1]);
  const instruction = interaction.fields.getTextInputValue(INSTRUCTION_FIELD).trim();
  if (instruction === '') {
    await answerPrivately(interaction, TEXT.emptyInstruction);
    return;
  }
  if (instruction.length > MAX_PROMPT_LENGTH) {
    await answerPrivately(interaction, TEXT.instructionTooLong);
    return;
  }
  const take = await takeUnder(ctx, takeId, interaction.message?.id);
  if (!take) {
    await answerPrivately(interaction, JOB_TEXT.takeGone);
    return;
  }
  await submitFromInteraction(interaction, ctx, () => variationJob(ctx, take, instruction, interaction.user.id, interaction.guildId, interaction.channelId!));
}

/** Records a variation request of `take` and returns its job. */
export async function variationJob(
  ctx: BotContext, take: TakeRecord, instruction: string, userId: string, guildId: string | null, channelId: string,
): Promise<TakeJobPayload> {
  const request = await ctx.store.createRequest({ userId, guildId, channelId, prompt: instruction, options: { parentTakeId: take.id, instruction } });
  return { kind: 'vary', requestId: request.id, parentTakeId: take.id, instruction, seeds: seedsFor(1) as [number] };
}
