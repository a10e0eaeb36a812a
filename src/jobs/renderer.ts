/** What turns a take's score into its files, and the real one: SoundFont synthesis to Ogg Opus, the piano roll, the MIDI file. */
import { writeMidi } from '../music/midi.ts';
import type { Score } from '../music/score.ts';
import { renderAudio, renderPianoRoll, startRenderThreads, warmUpRender, type PianoRollOptions } from '../render/index.ts';

/** The three files of a take. */
export interface RenderedTake {
  ogg: Uint8Array;
  midi: Uint8Array;
  png: Uint8Array;
  seconds: number;
}

export interface Renderer {
  /** `sections`: where a piece composed in form has its sections, marked on the piano roll. */
  render(score: Score, title: string, sections?: PianoRollOptions['sections']): Promise<RenderedTake>;
  /** Gets ready for the first render (threads, SoundFont), so that no request waits for it. */
  prepare?(): Promise<void>;
}

export function soundfontRenderer(options: { soundfont?: string } = {}): Renderer {
  return {
    async render(score: Score, title: string, sections?: PianoRollOptions['sections']): Promise<RenderedTake> {
      const audio = await renderAudio(score, { soundfont: options.soundfont, title });
      return { ogg: audio.ogg, midi: writeMidi(score), png: renderPianoRoll(score, { title, sections }), seconds: audio.seconds };
    },
    async prepare() {
      await startRenderThreads(options.soundfont);
      await warmUpRender(options.soundfont);
    },
  };
}
