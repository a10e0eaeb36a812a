/**
 * `motif restyle FILE.mid "<prompt>" [--keep "flute"]`: the file's melody (or the part --keep names) note for note,
 * with new accompaniment, instruments, tempo and feel written by the model from the prompt (restyle.ts).
 */
import { parseArgs } from 'node:util';
import { chooseKeptTrack } from '../inference/index.ts';
import { InputError, inputBaseName, readScoreInput } from './input.ts';
import { TAKE_OPTIONS, checkFinish, fileNameFor, numberOption, printTake, progress, takeSummary, withEngine, writeTake } from './take-output.ts';

const USAGE = 'usage: motif restyle FILE.mid "<prompt>" [--keep PART] [--seed N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...TAKE_OPTIONS, keep: { type: 'string' } } });
  if (positionals.length !== 2 || positionals[1].trim() === '') throw new InputError(USAGE);
  checkFinish(values.finish);
  const [spec, prompt] = positionals;
  const score = await readScoreInput(spec, 'restyle');
  // A file with nothing to keep is told so before the model loads.
  chooseKeptTrack(score, values.keep);
  const name = inputBaseName(spec);
  const options = { keep: values.keep, seed: numberOption('seed', values.seed), temperature: numberOption('temperature', values.temperature) };
  const started = performance.now();
  await withEngine(values.soundfont, async (engine) => {
    progress('restyling...');
    const restyled = await engine.restyle(score, prompt, options);
    const { kept } = restyled;
    const files = await writeTake(restyled, values, fileNameFor(`${name} ${prompt}`, restyled.seed), `${name}, ${prompt}`);
    const moved = kept.transposed === 0 ? '' : `, moved ${kept.transposed > 0 ? 'up' : 'down'} ${Math.abs(kept.transposed)} semitone${Math.abs(kept.transposed) === 1 ? '' : 's'}`;
    printTake(takeSummary(restyled, files, performance.now() - started), values.json, `restyled ${name} ("${prompt}") with ${restyled.modelId}, seed ${restyled.seed}`, [
      `kept: ${kept.name} (track ${kept.index + 1}, ${kept.notes} notes${moved}); everything else is new`,
    ], { kept });
  });
}
