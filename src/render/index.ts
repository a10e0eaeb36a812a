/** What the rest of Motif uses from src/render. */
export { renderAudio, type RenderAudioOptions, type RenderedAudio, type RenderTimings } from './audio.ts';
export { renderFiles, type RenderFilesOptions, type RenderedFiles } from './files.ts';
export { renderPianoRoll, type PianoRollOptions } from './piano-roll.ts';
export { measureRenderSpeed, type RenderSpeed } from './speed.ts';
export { FINISH_STYLES, type FinishStyle } from './finish.ts';
export { TARGET_LUFS, CEILING_DBTP, type LoudnessReport } from './normalize.ts';
export { RenderError, MAX_FILE_BYTES, defaultOpusEncoder, type OpusEncoderName } from './opus.ts';
export { BUNDLED_SOUNDFONTS, DEFAULT_SOUNDFONT, SoundFontError } from './soundfonts.ts';
export { getSynthPool, SYNTH_THREADS } from './synth-pool.ts';
export { closeRenderThreads, startRenderThreads, warmUpRender } from './threads.ts';
