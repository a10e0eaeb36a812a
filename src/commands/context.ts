/**
 * What command handlers work with: the composer and renderer the take jobs use (src/bot/start.ts wires the real
 * ones), the store, the queue and the bot's settings.
 */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import type { Composer } from '../jobs/composer.ts';
import type { Renderer } from '../jobs/renderer.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { MotifStore } from '../store/types.ts';

export type BotSettings = Pick<BotConfig, 'applicationId' | 'messageContent' | 'voteEmojis' | 'takes'>;

export interface BotContext {
  client: Client;
  composer: Composer;
  renderer: Renderer;
  store: MotifStore;
  queue: JobQueue;
  settings: BotSettings;
  log: Logger;
  /** Interaction tokens stop working this long after the interaction was created. */
  interactionLifetimeMs: number;
}
