/** The real renderer: SoundFont synthesis to Ogg Opus, the piano roll, and the MIDI file. */
import { writeMidi } from '../music/midi.ts';
import type { Score } from '../music/score.ts';
import { renderAudio, renderPianoRoll, startRenderThreads, warmUpRender } from '../render/index.ts';
import type { RenderedTake, Renderer } from './context.ts';

export function soundfontRenderer(options: { soundfont?: string } = {}): Renderer {
  return {
    async render(score: Score, title: string): Promise<RenderedTake> {
      const audio = await renderAudio(score, { soundfont: options.soundfont, title });
      return { ogg: audio.ogg, midi: writeMidi(score), png: renderPianoRoll(score, { title }), seconds: audio.seconds };
    },
    async prepare() {
      await startRenderThreads(options.soundfont);
      await warmUpRender(options.soundfont);
    },
  };
}
