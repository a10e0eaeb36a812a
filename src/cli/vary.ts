/**
 * `motif vary FILE.mid "<instruction>"`: the engine call behind the bot's reply-to-vary, on a MIDI file: the file's
 * opening bars kept (rewritten for the change), the rest new, and the change checked in the result.
 */
import { parseArgs } from 'node:util';
import { InputError } from './input.ts';
import { readParentInput } from './parent-input.ts';
import { TAKE_OPTIONS, checkFinish, countOption, fileNameFor, numberOption, printTake, progress, takeSummary, withEngine, writeTake } from './take-output.ts';

const USAGE = 'usage: motif vary FILE.mid "<instruction>" [--keep-bars N] [--seed N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...TAKE_OPTIONS, 'keep-bars': { type: 'string' } } });
  if (positionals.length !== 2 || positionals[1].trim() === '') throw new InputError(USAGE);
  checkFinish(values.finish);
  const [spec, instruction] = positionals;
  const options = {
    seed: numberOption('seed', values.seed),
    temperature: numberOption('temperature', values.temperature),
    keepBars: countOption('keep-bars', values['keep-bars']),
  };
  const { parent, name } = await readParentInput(spec, 'vary');
  const started = performance.now();
  await withEngine(values.soundfont, async (engine) => {
    progress('varying...');
    const variation = await engine.vary(parent, instruction, options);
    const files = await writeTake(variation, values, fileNameFor(`${name} ${instruction}`, variation.seed), `${name}, ${instruction}`);
    const understood = variation.change.understood;
    printTake(takeSummary(variation, files, performance.now() - started), values.json, `varied ${name} ("${instruction}") with ${variation.modelId}, seed ${variation.seed}`, [
      `understood: ${understood.length ? understood.join(', ') : 'nothing specific (the words condition the model)'}`,
      `kept the first ${variation.keptBars} bar${variation.keptBars === 1 ? '' : 's'}; similarity to the file: ${variation.similarity.overall.toFixed(2)}`,
      ...variation.checks.map((check) => `${check.aspect}: asked ${check.expected}, got ${check.actual}${check.holds ? '' : ' (not held)'}`),
    ], {
      instruction, understood, keptBars: variation.keptBars, similarity: variation.similarity, checks: variation.checks,
    });
  });
}
