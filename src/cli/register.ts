/** `motif register [--guild ID]`: registers the slash commands for one server (at once) or everywhere. */
import { parseArgs } from 'node:util';
import { loadBotConfig } from '../config.ts';
import { registerCommands } from '../bot/register.ts';
import { InputError } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { guild: { type: 'string' } } });
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) throw new InputError('--guild must be a server ID (17-20 digits)');
  const config = loadBotConfig();
  const names = await registerCommands({ token: config.token, applicationId: config.applicationId, guildId: values.guild })
    .catch((error: { status?: number; message?: string }) => {
      if (error.status === 401) throw new InputError('Discord refused DISCORD_TOKEN: reset the token on the developer portal and put the new one in .env.');
      throw error;
    });
  const where = values.guild ? `server ${values.guild}` : 'every server (global commands can take up to an hour to appear)';
  console.log(`registered /${names.join(', /')} for ${where}`);
}
