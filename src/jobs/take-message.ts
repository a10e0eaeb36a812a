/**
 * A take as a Discord message: the .ogg to listen to, the .mid to download, the piano roll, an embed that says what
 * it is, and the buttons to vary, regenerate or extend it.
 */
import {
  ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, escapeMarkdown, type BaseMessageOptions,
} from 'discord.js';
import { instrumentName } from '../music/instruments.ts';
import { keyName } from '../music/keys.ts';
import type { TakeRecord } from '../store/types.ts';
import { describeInference, type Inference } from '../text/attribute-stage.ts';
import { NO_MENTIONS } from './messages.ts';
import type { RenderedTake } from './renderer.ts';

export type TakeAction = 'vary' | 'regen' | 'extend';

export function takeButtonId(action: TakeAction, takeId: number): string {
  return `take:${action}:${takeId}`;
}

export function parseTakeButtonId(customId: string): { action: TakeAction; takeId: number } | undefined {
  const match = /^take:(vary|regen|extend):(\d+)$/.exec(customId);
  return match ? { action: match[1] as TakeAction, takeId: Number(match[2]) } : undefined;
}

/** What the message shows of a take. */
type ShownTake = Pick<TakeRecord, 'id' | 'origin' | 'parentTakeId' | 'prompt' | 'seed' | 'modelId' | 'header'>;

function title(take: ShownTake, position: { index: number; count: number }): string {
  switch (take.origin) {
    case 'variation':
      return take.parentTakeId === null ? 'Variation' : `Variation of take #${take.parentTakeId}`;
    case 'extension':
      return take.parentTakeId === null ? 'Extended take' : `Take #${take.parentTakeId}, extended`;
    case 'regenerate':
      return 'Another take';
    case 'compose':
      return position.count > 1 ? `Take ${position.index + 1} of ${position.count}` : 'Your take';
  }
}

/** Text for an embed: markdown shown as typed, cut to `max` characters. */
function quoted(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return escapeMarkdown(cut);
}

/**
 * `inferred`: what the attribute stage chose where the prompt left an attribute open (src/text/attribute-stage.ts), shown so
 * that a person sees why a "piano trio" came with a bass and drums.
 */
export function takeMessage(take: ShownTake, files: RenderedTake, position: { index: number; count: number }, voteEmojis: readonly string[], inferred: readonly Inference[] = []): BaseMessageOptions {
  const { header } = take;
  const base = `motif-${take.id}`;
  const embed = new EmbedBuilder()
    .setTitle(`${title(take, position)} · #${take.id}`)
    .setDescription(quoted(take.prompt, 1000))
    .addFields(
      { name: 'Tempo', value: `${header.bpm} BPM`, inline: true },
      { name: 'Key', value: header.key ? keyName(header.key) : 'none (drums only)', inline: true },
      { name: 'Meter', value: header.timeSignature.join('/'), inline: true },
      { name: 'Instruments', value: header.instruments.map(instrumentName).join(', ').slice(0, 1024) || 'none', inline: false },
      { name: 'Bars', value: String(header.bars), inline: true },
      { name: 'Seed', value: String(take.seed), inline: true },
      { name: 'Model', value: quoted(take.modelId, 200), inline: true },
    );
  if (inferred.length) {
    embed.addFields({ name: 'Inferred from your words', value: quoted(inferred.map(describeInference).join('\n'), 1024), inline: false });
  }
  embed
    .setImage(`attachment://${base}.png`)
    .setFooter({ text: `${files.seconds.toFixed(1)} s · reply to this message with words to change it · vote with ${voteEmojis.join(' ')}` });
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(takeButtonId('vary', take.id)).setLabel('Vary').setStyle(ButtonStyle.Primary),
    new ButtonBuilder().setCustomId(takeButtonId('regen', take.id)).setLabel('Regenerate').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(takeButtonId('extend', take.id)).setLabel('Extend').setStyle(ButtonStyle.Secondary),
  );
  return {
    content: '',
    embeds: [embed],
    files: [
      new AttachmentBuilder(Buffer.from(files.ogg), { name: `${base}.ogg`, description: 'the take (Ogg Opus)' }),
      new AttachmentBuilder(Buffer.from(files.midi), { name: `${base}.mid`, description: 'the score (MIDI)' }),
      new AttachmentBuilder(Buffer.from(files.png), { name: `${base}.png`, description: 'piano roll' }),
    ],
    components: [buttons],
    allowedMentions: NO_MENTIONS,
  };
}
