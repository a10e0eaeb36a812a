/**
 * What command handlers work with: narrow interfaces over the engine and the renderer (src/bot/start.ts wires the
 * real ones), the store, the queue and the bot's settings.
 */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.ts';
import type { ComposeRequest, Composition, ParentPiece, Variation } from '../inference/index.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { Score } from '../music/score.ts';
import type { MotifStore } from '../store/types.ts';

/** Writes music: a new piece, a variation of one, or a longer one. `MotifEngine` is one. */
export interface Composer {
  compose(request: ComposeRequest): Promise<Composition>;
  vary(parent: ParentPiece, instruction: string, options?: { seed?: number; signal?: AbortSignal }): Promise<Variation>;
  extend(parent: ParentPiece, bars: number, options?: { seed?: number; signal?: AbortSignal }): Promise<Composition>;
}

/** The three files of a take. */
export interface RenderedTake {
  ogg: Uint8Array;
  midi: Uint8Array;
  png: Uint8Array;
  seconds: number;
}

export interface Renderer {
  render(score: Score, title: string): Promise<RenderedTake>;
  /** Gets ready for the first render (threads, SoundFont), so that no request waits for it. */
  prepare?(): Promise<void>;
}

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
