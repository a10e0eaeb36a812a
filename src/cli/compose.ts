/**
 * `motif compose "<prompt>"`: the main job. Composes with the shipped model, renders .mid, .ogg and .png named
 * after the prompt, and says what was made.
 */
import { parseArgs } from 'node:util';
import { instrumentName } from '../music/instruments.ts';
import { keyName } from '../music/keys.ts';
import { DRUMS } from '../music/score.ts';
import { getEngine, ModelFilesError, ModelMismatchError, type ComposeRequest, type Composition, type MotifEngine } from '../inference/index.ts';
import { FINISH_STYLES, closeRenderThreads, renderFiles, startRenderThreads, type FinishStyle, type RenderedFiles } from '../render/index.ts';
import { finishForGenres } from '../render/style.ts';
import { parsePrompt } from '../music/prompt.ts';
import { InputError } from './input.ts';

const USAGE = 'usage: motif compose "<prompt>" [--seed N] [--bars N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

/** A file name from a prompt: lower case words joined by dashes, at most 48 characters. */
export function fileNameFor(prompt: string, seed: number): string {
  const words = prompt.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return `${words || 'motif'}-${seed}`;
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new InputError(`--${name} must be a number, not "${value}"`);
  return number;
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${message}`);
}

function summary(composition: Composition, files: RenderedFiles, totalMs: number) {
  const { header } = composition;
  return {
    prompt: composition.prompt,
    attributes: {
      bpm: header.bpm,
      key: header.key ? keyName(header.key) : null,
      timeSignature: `${header.timeSignature[0]}/${header.timeSignature[1]}`,
      instruments: header.instruments.filter((id) => id !== DRUMS).map(instrumentName),
      drums: header.instruments.includes(DRUMS),
      bars: header.bars,
    },
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

/** The options that shape the files. */
interface FileOptions {
  out: string;
  finish: string;
  soundfont?: string;
  json: boolean;
}

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      bars: { type: 'string' },
      temperature: { type: 'string' },
      out: { type: 'string', default: 'out' },
      finish: { type: 'string', default: 'auto' },
      soundfont: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new InputError(USAGE);
  if (values.finish !== 'auto' && !(FINISH_STYLES as readonly string[]).includes(values.finish)) {
    throw new InputError(`--finish must be auto or one of ${FINISH_STYLES.join(', ')}`);
  }
  // Read here first, so that a prompt the parser refuses (too long, impossible values) costs no model load.
  const parsed = parsePrompt(positionals[0]);
  if (!parsed.ok) throw new InputError(parsed.error);
  const request = {
    prompt: positionals[0],
    seed: numberOption('seed', values.seed),
    bars: numberOption('bars', values.bars),
    temperature: numberOption('temperature', values.temperature),
  };
  const started = performance.now();
  // Decoding the SoundFont takes seconds of CPU for each synthesis thread, and this command pays for it every time:
  // one thread decodes it on one core while the model loads and composes on the other (docs/RENDER.md). A bad
  // --soundfont shows in the render; a failure before it stops the loading thread.
  startRenderThreads(values.soundfont, 1).catch(() => undefined);
  try {
    progress('loading the model...');
    const engine = await getEngine().catch((error: unknown) => {
      if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(`cannot load the model: ${error.message}`);
      throw error;
    });
    await composeAndRender(engine, request, values, started);
  } finally {
    await closeRenderThreads();
  }
}

async function composeAndRender(engine: MotifEngine, request: ComposeRequest, values: FileOptions, started: number): Promise<void> {
  try {
    progress('composing...');
    const composition = await engine.compose(request);
    progress('rendering...');
    const finish = values.finish === 'auto' ? finishForGenres(composition.attributes.genres) : (values.finish as FinishStyle);
    const files = await renderFiles(composition.score, {
      outDir: values.out,
      baseName: fileNameFor(composition.prompt, composition.seed),
      title: composition.prompt,
      finish,
      soundfont: values.soundfont,
    });
    progress('');
    const result = summary(composition, files, performance.now() - started);
    if (values.json) {
      console.log(JSON.stringify(result));
      return;
    }
    const { attributes: a, timings: t } = result;
    console.log(`composed "${result.prompt}" with ${result.modelId}, seed ${result.seed}`);
    console.log(`  ${a.bpm} BPM, ${a.key ?? 'no key'}, ${a.timeSignature}, ${a.bars} bars (${result.seconds} s)`);
    console.log(`  ${[...a.instruments, ...(a.drums ? ['drums'] : [])].join(', ')}`);
    console.log(`  ${result.files.ogg}\n  ${result.files.mid}\n  ${result.files.png}`);
    console.log(`  compose ${t.composeMs} ms (${t.tokens} tokens), render ${t.renderMs} ms, encode ${t.encodeMs} ms, total ${t.totalMs} ms`);
  } finally {
    await engine.close();
  }
}
