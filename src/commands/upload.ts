/** The attachment of /continue and /restyle: refused at once by its name or declared size, else a link for the job. */
import type { ChatInputCommandInteraction } from 'discord.js';
import { uploadProblem, type UploadedFile } from '../jobs/uploaded-midi.ts';
import type { BotContext } from './context.ts';
import { answerPrivately } from './submit.ts';

/** The command's `file` option as the job downloads it, or undefined once the user has been told why not. */
export async function attachedMidi(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<UploadedFile | undefined> {
  const attachment = interaction.options.getAttachment('file', true);
  const file: UploadedFile = { name: attachment.name, size: attachment.size, url: attachment.url };
  const problem = uploadProblem(file, ctx.settings.maxUploadBytes);
  if (problem) {
    await answerPrivately(interaction, problem);
    return undefined;
  }
  return file;
}
