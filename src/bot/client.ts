/**
 * The discord.js client: the gateway intents the bot needs (Message Content only when the app has it), and partials
 * so that reactions on messages from before a restart still arrive.
 */
import { Client, GatewayIntentBits, Partials } from 'discord.js';

export interface ClientOptions {
  messageContent: boolean;
  /** Another REST API base (the tests' Discord emulator); the gateway URL comes from its /gateway/bot. */
  api?: string;
}

export function createClient(options: ClientOptions): Client {
  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.DirectMessages,
    GatewayIntentBits.DirectMessageReactions,
    ...(options.messageContent ? [GatewayIntentBits.MessageContent] : []),
  ];
  return new Client({
    intents,
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
    rest: options.api ? { api: options.api } : {},
    // Nothing the bot says pings anyone; each message repeats it, this is the fallback.
    allowedMentions: { parse: [], repliedUser: false },
  });
}
