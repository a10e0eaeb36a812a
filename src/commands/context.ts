/**
 * What command handlers work with: the client, the store, the queue that takes their jobs (in process or BullMQ;
 * src/bot/start.ts wires it) and the bot's settings. The music is made where the queue runs its jobs.
 */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import type { TakeQueue } from '../queue/take-queue.ts';
import type { MotifStore } from '../store/types.ts';

export type BotSettings = Pick<BotConfig, 'applicationId' | 'messageContent' | 'voteEmojis' | 'takes' | 'maxUploadBytes'>;

export interface BotContext {
  client: Client;
  store: MotifStore;
  queue: TakeQueue;
  settings: BotSettings;
  log: Logger;
  /** Interaction tokens stop working this long after the interaction was created. */
  interactionLifetimeMs: number;
}
