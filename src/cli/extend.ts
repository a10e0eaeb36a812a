/**
 * `motif extend FILE.mid [--bars N]`: the engine call behind the bot's Extend button, on a MIDI file: the file's
 * bars as they are, then N more. By default as many bars as the button adds.
 */
import { parseArgs } from 'node:util';
import { MAX_BARS } from '../tokens/vocab.ts';
import { InputError } from './input.ts';
import { readParentInput } from './parent-input.ts';
import { TAKE_OPTIONS, checkFinish, countOption, fileNameFor, numberOption, printTake, progress, takeSummary, withEngine, writeTake } from './take-output.ts';

const USAGE = 'usage: motif extend FILE.mid [--bars N] [--seed N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

/** The bot's Extend button adds as many bars as the take has, at most this many (MAX_EXTEND_BARS in src/commands/take-buttons.ts). */
const DEFAULT_MAX_NEW_BARS = 8;

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...TAKE_OPTIONS, bars: { type: 'string' } } });
  if (positionals.length !== 1) throw new InputError(USAGE);
  checkFinish(values.finish);
  const options = { seed: numberOption('seed', values.seed), temperature: numberOption('temperature', values.temperature) };
  const { parent, name } = await readParentInput(positionals[0], 'extend');
  const given = parent.header.bars;
  const bars = countOption('bars', values.bars) ?? Math.max(1, Math.min(given, DEFAULT_MAX_NEW_BARS, MAX_BARS - given));
  const started = performance.now();
  await withEngine(values.soundfont, async (engine) => {
    progress('extending...');
    const extension = await engine.extend(parent, bars, options);
    const added = extension.header.bars - given;
    const files = await writeTake(extension, values, fileNameFor(`${name} extended`, extension.seed), `${name}, extended`);
    printTake(takeSummary(extension, files, performance.now() - started), values.json, `extended ${name} with ${extension.modelId}, seed ${extension.seed}`, [
      `bars 1-${given} as given, ${added} new bar${added === 1 ? '' : 's'} after them`,
    ], { parentBars: given, addedBars: added });
  });
}
