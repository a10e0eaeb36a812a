/** Words the bot says, in one place: short, plain, and never a stack trace. */
import type { MessageMentionOptions } from 'discord.js';
import type { Refusal } from '../queue/job-queue.ts';

/** Every message the bot sends pings nobody: prompts are echoed back, and a prompt may say @everyone. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], users: [], roles: [], repliedUser: false };

export const MAX_PROMPT_LENGTH = 300;

export function refusalText(refusal: Refusal): string {
  switch (refusal.reason) {
    case 'busy':
      return 'Motif is busy right now: try again in a minute.';
    case 'user-limit':
      return `You already have ${refusal.limit} pieces on the way: wait for one to finish, then ask again.`;
    case 'cooldown':
      return `One moment: you can ask again in ${Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))} s.`;
    case 'closed':
      return 'Motif is restarting: try again in a minute.';
  }
}

export function waitingText(position: number, postsToChannel: boolean): string {
  const line = position === 1 ? 'You are next in line.' : `You are number ${position} in line.`;
  return postsToChannel ? `${line} It may take a while: I will post the music in this channel when it is ready.` : line;
}

export function workingText(step: 'composing' | 'rendering', take: number, takes: number, what = 'take'): string {
  const which = takes > 1 ? ` ${what} ${take} of ${takes}` : '';
  return step === 'composing' ? `Composing${which}…` : `Rendering${which}…`;
}

export const TEXT = {
  genericFailure: 'Something went wrong while making that piece. Please try again.',
  notATake: 'That message is not one of my takes: reply to a message with music from /compose to change it.',
  takeGone: 'That take is no longer available.',
  emptyInstruction: 'Say how to change it, for example "faster", "make it sadder" or "drop the drums".',
  unreadableReply: 'I cannot read replies here: mention me in your reply, for example "@Motif make it sadder".',
  lostInRestart: (prompt: string) => `Sorry: Motif restarted twice while working on "${prompt}", and the piece was lost. Please ask again.`,
  noReplyHere: 'Reply to one of my takes with words ("faster", "add strings") to change it, or use /compose.',
  instructionTooLong: `That is too long: say how to change the piece in at most ${MAX_PROMPT_LENGTH} characters.`,
  unknownCommand: 'I do not know that command.',
};
