/** Sends the slash command definitions to Discord: for one guild (at once) or globally (may take up to an hour). */
import { REST, Routes } from 'discord.js';
import { commandDefinitions } from '../commands/index.ts';

export interface RegisterOptions {
  token: string;
  applicationId: string;
  guildId?: string;
  api?: string;
}

export async function registerCommands(options: RegisterOptions): Promise<string[]> {
  const rest = new REST(options.api ? { api: options.api } : {}).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const registered = await rest.put(route, { body: commandDefinitions() }) as { name: string }[];
  return registered.map((command) => command.name);
}
