/** `motif eval`: prompt adherence, musicality, originality and text2midi's protocol for a model (docs/EVAL.md). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config } from '../config.ts';
import { ModelFilesError, ModelMismatchError, MotifEngine } from '../inference/index.ts';
import { evalMarkdown } from '../eval/markdown.ts';
import { evalPlot } from '../eval/plot.ts';
import { PromptFileError, readPromptFile } from '../eval/prompt-file.ts';
import { runEval } from '../eval/run-eval.ts';
import { InputError } from './input.ts';

const USAGE = 'usage: motif eval --prompts FILE.jsonl [--seeds N] [--limit N] [--test-split N] [--data DIR] [--model DIR] [--concurrency N] [--out report.json] [--md report.md] [--png plot.png]';

function positiveInt(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new InputError(`--${name} must be a whole number from ${min} up, not "${text}"`);
  return value;
}

function writeOut(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, data);
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompts: { type: 'string' },
      seeds: { type: 'string', default: '1' },
      limit: { type: 'string' },
      'test-split': { type: 'string', default: '100' },
      data: { type: 'string' },
      model: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      md: { type: 'string' },
      png: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.prompts || positionals.length) throw new InputError(USAGE);
  let prompts;
  try {
    prompts = readPromptFile(values.prompts);
  } catch (error) {
    if (error instanceof PromptFileError) throw new InputError(error.message);
    throw error;
  }
  if (values.limit !== undefined) prompts = prompts.slice(0, positiveInt('limit', values.limit));
  const settings = config();
  const log = values.quiet ? () => {} : (line: string) => console.error(`eval: ${line}`);
  const engine = await MotifEngine.load({ ...(values.model ? { modelDir: values.model } : {}), log }).catch((error: unknown) => {
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError) throw new InputError(error.message);
    throw error;
  });
  try {
    const report = await runEval({
      engine,
      prompts,
      promptsSource: values.prompts,
      seeds: positiveInt('seeds', values.seeds),
      testSplit: positiveInt('test-split', values['test-split'], 0),
      dataDir: values.data,
      modelDir: values.model ?? settings.modelDir,
      concurrency: values.concurrency ? positiveInt('concurrency', values.concurrency) : settings.maxBatch,
      settings: { sampling: engine.sampling, maxTokens: settings.maxTokens, defaultMaxBars: settings.defaultMaxBars },
      log,
    });
    const markdown = evalMarkdown(report);
    if (values.out) writeOut(values.out, `${JSON.stringify(report, null, 2)}\n`);
    if (values.md) writeOut(values.md, markdown);
    if (values.png) writeOut(values.png, evalPlot(report));
    // Without --md the table goes to stdout; with it, a short summary.
    if (!values.md) console.log(markdown);
    else {
      const { overall, outcomes } = report;
      console.log(`${outcomes.composed} composed, ${outcomes.refused} refused, ${outcomes.failed} failed; attribute mean ${(100 * overall.attributeMean).toFixed(1)}%, fully met ${(100 * overall.fullyMet).toFixed(1)}%`);
    }
    for (const [flag, file] of [['--out', values.out], ['--md', values.md], ['--png', values.png]] as const) if (file) console.error(`eval: wrote ${file} (${flag})`);
  } finally {
    await engine.close();
  }
}
