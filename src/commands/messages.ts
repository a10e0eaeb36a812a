/**
 * Words only the commands say: short, plain, and never a stack trace. What the take jobs say, and what the commands
 * share with them, is in src/jobs/messages.ts.
 */
import { MAX_PROMPT_LENGTH } from '../jobs/compose-options.ts';
import type { Refusal } from '../queue/take-queue.ts';

export function refusalText(refusal: Refusal): string {
  switch (refusal.reason) {
    case 'busy':
      return 'Motif is busy right now: try again in a minute.';
    case 'user-limit':
      return `You already have ${refusal.limit} pieces on the way: wait for one to finish, then ask again.`;
    case 'server-limit':
      return `This server already has ${refusal.limit} pieces on the way: wait for one to finish, then ask again.`;
    case 'cooldown':
      return `One moment: you can ask again in ${Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))} s.`;
    case 'closed':
      return 'Motif is restarting: try again in a minute.';
  }
}

export const TEXT = {
  notATake: 'That message is not one of my takes: reply to a message with music from /compose to change it.',
  emptyInstruction: 'Say how to change it, for example "faster", "make it sadder" or "drop the drums".',
  unreadableReply: 'I cannot read replies here: mention me in your reply, for example "@Motif make it sadder".',
  noReplyHere: 'Reply to one of my takes with words ("faster", "add strings") to change it, or use /compose.',
  instructionTooLong: `That is too long: say how to change the piece in at most ${MAX_PROMPT_LENGTH} characters.`,
  unknownCommand: 'I do not know that command.',
  unknownComponent: 'That does nothing any more: use the buttons under a newer take, or /compose.',
  noChannel: 'Use me in a server channel or a DM with me.',
};
