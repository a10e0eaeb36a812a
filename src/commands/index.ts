/** Every slash command, by name: the bot dispatches to them and `motif register` sends their definitions. */
import type { SlashCommand } from './command.ts';
import { compose } from './compose.ts';
import { continueCommand } from './continue.ts';
import { help } from './help.ts';
import { restyleCommand } from './restyle.ts';
import { stats } from './stats.ts';

export const COMMANDS: ReadonlyMap<string, SlashCommand> = new Map([compose, continueCommand, restyleCommand, help, stats].map((command) => [command.data.name, command]));

export function commandDefinitions() {
  return [...COMMANDS.values()].map((command) => command.data.toJSON());
}

export type { SlashCommand } from './command.ts';
export type { BotContext } from './context.ts';
