/**
 * A message as Discord's REST API takes it: the JSON body and the files to upload. The take pipeline posts through
 * REST alone, so that a worker with no gateway connection (`motif worker`) posts exactly what the bot would. It
 * covers what the pipeline sends (text, embeds, buttons, attachments, flags, a reply reference) and refuses the rest.
 */
import {
  AttachmentBuilder, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed, type BaseMessageOptions,
  type MessageMentionOptions, type RawFile,
} from 'discord.js';

/** What the pipeline sends: discord.js's message options, plus the two a plain REST call needs spelled out. */
export interface OutgoingMessage extends BaseMessageOptions {
  flags?: number;
  /** The message this one replies to; the post still goes out if it is gone. */
  replyTo?: string;
}

export interface RestMessage {
  body: Record<string, unknown>;
  files: RawFile[];
}

const asJson = <T>(value: T | { toJSON(): T }): T =>
  typeof value === 'object' && value !== null && 'toJSON' in value && typeof value.toJSON === 'function' ? value.toJSON() : value as T;

function allowedMentions(options: MessageMentionOptions): Record<string, unknown> {
  const { repliedUser, ...rest } = options;
  return { ...rest, ...(repliedUser !== undefined ? { replied_user: repliedUser } : {}) };
}

export function restMessage(message: OutgoingMessage): RestMessage {
  const body: Record<string, unknown> = {};
  if (message.content !== undefined) body.content = message.content;
  if (message.embeds !== undefined) body.embeds = message.embeds.map((embed) => asJson<APIEmbed>(embed as APIEmbed));
  if (message.components !== undefined) {
    body.components = message.components.map((row) => asJson(row as APIActionRowComponent<APIComponentInMessageActionRow>));
  }
  if (message.allowedMentions !== undefined) body.allowed_mentions = allowedMentions(message.allowedMentions);
  if (message.flags !== undefined) body.flags = message.flags;
  if (message.replyTo !== undefined) body.message_reference = { message_id: message.replyTo, fail_if_not_exists: false };
  const files: RawFile[] = [];
  if (message.files !== undefined) {
    const attachments = message.files.map((file, index) => {
      if (!(file instanceof AttachmentBuilder) || !Buffer.isBuffer(file.attachment) || !file.name) {
        throw new TypeError('a message posted through REST takes its files as AttachmentBuilders of named Buffers');
      }
      files.push({ name: file.name, data: file.attachment });
      return { id: index, filename: file.name, ...(file.description ? { description: file.description } : {}) };
    });
    body.attachments = attachments;
  }
  return { body, files };
}
