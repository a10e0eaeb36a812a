/**
 * Words the take jobs say, and the ones the commands share with them: short, plain, and never a stack trace. What
 * only a command says is in src/commands/messages.ts.
 */
import type { MessageMentionOptions } from 'discord.js';

/** Every message the bot sends pings nobody: prompts are echoed back, and a prompt may say @everyone. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], users: [], roles: [], repliedUser: false };

export function waitingText(position: number, postsToChannel: boolean): string {
  const line = position === 1 ? 'You are next in line.' : `You are number ${position} in line.`;
  return postsToChannel ? `${line} It may take a while: I will post the music in this channel when it is ready.` : line;
}

export function workingText(step: 'composing' | 'rendering', take: number, takes: number, what = 'take'): string {
  const which = takes > 1 ? ` ${what} ${take} of ${takes}` : '';
  return step === 'composing' ? `Composing${which}…` : `Rendering${which}…`;
}

export const JOB_TEXT = {
  genericFailure: 'Something went wrong while making that piece. Please try again.',
  takeGone: 'That take is no longer available.',
  movedToChannel: 'This is taking a while: I will post the music in this channel and mention you.',
  lostInRestart: (prompt: string) => `Sorry: Motif restarted twice while working on "${prompt}", and the piece was lost. Please ask again.`,
};
