/**
 * `motif compose "<prompt>"`: the main job. Composes with the shipped model, renders .mid, .ogg and .png named
 * after the prompt, and says what was made.
 */
import { parseArgs } from 'node:util';
import { requestInferences } from '../inference/index.ts';
import { parsePrompt } from '../text/prompt.ts';
import { InputError } from './input.ts';
import { TAKE_OPTIONS, checkFinish, fileNameFor, numberOption, printTake, progress, takeSummary, withEngine, writeTake } from './take-output.ts';

const USAGE = 'usage: motif compose "<prompt>" [--seed N] [--bars N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...TAKE_OPTIONS, bars: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new InputError(USAGE);
  checkFinish(values.finish);
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
  await withEngine(values.soundfont, async (engine) => {
    progress('composing...');
    const composition = await engine.compose(request);
    const files = await writeTake(composition, values, fileNameFor(composition.prompt, composition.seed), composition.prompt);
    printTake(takeSummary(composition, files, performance.now() - started, requestInferences(request)), values.json,
      `composed "${composition.prompt}" with ${composition.modelId}, seed ${composition.seed}`);
  });
}
