/**
 * What every music-making subcommand (compose, vary, extend, continue) shares: the options that shape the files, the
 * engine's lifetime beside the render threads, writing .mid/.ogg/.png, and describing the take as lines or one JSON
 * object. One place, so that a take made by any of them looks and is written the same.
 */
import { instrumentName } from '../music/instruments.ts';
import { keyName } from '../music/keys.ts';
import { describeForm, getEngine, headerAttributes, ModelFilesError, ModelMismatchError, pieceMarks, type Composition, type MotifEngine } from '../inference/index.ts';
import { FINISH_STYLES, RenderError, SoundFontError, closeRenderThreads, renderFiles, startRenderThreads, type FinishStyle, type RenderedFiles } from '../render/index.ts';
import { finishForGenres } from '../render/style.ts';
import { describeInference, type Inference } from '../text/attribute-stage.ts';
import { InputError } from './input.ts';

/** parseArgs options every take-making subcommand accepts. */
export const TAKE_OPTIONS = {
  seed: { type: 'string' },
  temperature: { type: 'string' },
  out: { type: 'string', default: 'out' },
  finish: { type: 'string', default: 'auto' },
  soundfont: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** The options that shape the files. */
export interface FileOptions {
  out: string;
  finish: string;
  soundfont?: string;
  json: boolean;
}

export function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new InputError(`--${name} must be a number, not "${value}"`);
  return number;
}

/** A whole number from 1 up, or undefined when the option was not given. */
export function countOption(name: string, value: string | undefined): number | undefined {
  const number = numberOption(name, value);
  if (number !== undefined && !(Number.isInteger(number) && number >= 1)) throw new InputError(`--${name} must be a whole number from 1 up, not "${value}"`);
  return number;
}

export function checkFinish(finish: string): void {
  if (finish !== 'auto' && !(FINISH_STYLES as readonly string[]).includes(finish)) {
    throw new InputError(`--finish must be auto or one of ${FINISH_STYLES.join(', ')}`);
  }
}

/** A file name from a prompt: lower case words joined by dashes, at most 48 characters. */
export function fileNameFor(prompt: string, seed: number): string {
  const words = prompt.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return `${words || 'motif'}-${seed}`;
}

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${message}`);
}

/**
 * Runs `work` with the process's engine. Decoding the SoundFont takes seconds of CPU for each synthesis thread, and a
 * command pays for it every time: one thread decodes it on one core while the model loads and composes on the other
 * (docs/RENDER.md). A bad --soundfont shows in the render; a failure before it stops the loading thread.
 */
export async function withEngine(soundfont: string | undefined, work: (engine: MotifEngine) => Promise<void>): Promise<void> {
  startRenderThreads(soundfont, 1).catch(() => undefined);
  try {
    progress('loading the model...');
    const engine = await getEngine().catch((error: unknown) => {
      if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(`cannot load the model: ${error.message}`);
      throw error;
    });
    try {
      await work(engine);
    } finally {
      await engine.close();
    }
  } finally {
    await closeRenderThreads();
  }
}

/** Renders a take into the --out folder; --finish auto picks the treatment from the genres the request named. */
export function writeTake(composition: Composition, values: FileOptions, baseName: string, title: string): Promise<RenderedFiles> {
  progress('rendering...');
  const finish = values.finish === 'auto' ? finishForGenres(composition.attributes.genres) : (values.finish as FinishStyle);
  const sections = pieceMarks(composition);
  return renderFiles(composition.score, { outDir: values.out, baseName, title, finish, soundfont: values.soundfont, sections }).catch((error: unknown) => {
    if (error instanceof SoundFontError || error instanceof RenderError) throw new InputError(error.message);
    throw error;
  });
}

export type TakeSummary = ReturnType<typeof takeSummary>;

/**
 * The attributes, files and timings of a take, as `--json` prints them; `inferred`, what the attribute stage chose
 * where the prompt left an attribute open (a fresh compose only: follow-ups keep their parent's header).
 */
export function takeSummary(composition: Composition, files: RenderedFiles, totalMs: number, inferred: readonly Inference[] = []) {
  const stated = headerAttributes(composition.header);
  return {
    prompt: composition.prompt,
    attributes: {
      bpm: stated.bpm,
      key: stated.key ? keyName(stated.key) : null,
      timeSignature: stated.timeSignature.join('/'),
      instruments: stated.instruments.map(instrumentName),
      drums: stated.drums,
      bars: stated.bars,
    },
    inferred,
    /** The sections of a piece composed in form; null for one written in a single pass. */
    form: composition.form ?? null,
    seconds: Number(files.seconds.toFixed(2)),
    seed: composition.seed,
    modelId: composition.modelId,
    finish: composition.finish,
    files: { mid: files.midiPath, ogg: files.oggPath, png: files.pngPath },
    timings: {
      composeMs: Math.round(composition.timings.totalMs),
      renderMs: Math.round(files.timings.synthMs + files.timings.loudnessMs + files.timings.pianoRollMs),
      encodeMs: Math.round(files.timings.encodeMs),
      totalMs: Math.round(totalMs),
      tokens: composition.timings.tokens,
    },
  };
}

/**
 * Prints a take: one JSON object with `extra` merged in under --json, else the headline, `details` (one line each)
 * and the usual attribute, file and timing lines.
 */
export function printTake(result: TakeSummary, json: boolean, headline: string, details: string[] = [], extra: object = {}): void {
  progress('');
  if (json) {
    console.log(JSON.stringify({ ...result, ...extra }));
    return;
  }
  const { attributes: a, timings: t } = result;
  console.log(headline);
  for (const line of details) console.log(`  ${line}`);
  console.log(`  ${a.bpm} BPM, ${a.key ?? 'no key'}, ${a.timeSignature}, ${a.bars} bars (${result.seconds} s)`);
  console.log(`  ${[...a.instruments, ...(a.drums ? ['drums'] : [])].join(', ')}`);
  for (const inference of result.inferred) console.log(`  inferred: ${describeInference(inference)}`);
  if (result.form) console.log(`  form: ${describeForm(result.form)}`);
  console.log(`  ${result.files.ogg}\n  ${result.files.mid}\n  ${result.files.png}`);
  console.log(`  compose ${t.composeMs} ms (${t.tokens} tokens), render ${t.renderMs} ms, encode ${t.encodeMs} ms, total ${t.totalMs} ms`);
}
