/**
 * `motif continue FILE.mid ["<prompt>"] [--bars N]`: the piece as sent, then N new bars that carry on its tempo,
 * meter, key and instruments (the prompt may change some: "then build up with drums", "slower"). The sent bars come
 * back unchanged; the output says where the new part starts.
 */
import { parseArgs } from 'node:util';
import { barsOf, tickToSeconds, type Score } from '../music/score.ts';
import { InputError } from './input.ts';
import { readParentInput } from './parent-input.ts';
import { TAKE_OPTIONS, checkFinish, countOption, fileNameFor, numberOption, printTake, progress, takeSummary, withEngine, writeTake } from './take-output.ts';

const USAGE = 'usage: motif continue FILE.mid ["<prompt>"] [--bars N] [--seed N] [--temperature T] [--out DIR] [--finish auto|none|lofi|ambient] [--soundfont NAME|PATH] [--json]';

/** New bars when --bars is not given: as many as the bot's Extend button adds at most. */
const DEFAULT_NEW_BARS = 8;

/** Seconds from the start of `score` to the start of bar `index` (0-based). */
function barStartSeconds(score: Score, index: number): number {
  const bars = barsOf(score, 0, index + 1);
  return tickToSeconds(score, bars[index].start);
}

function clock(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...TAKE_OPTIONS, bars: { type: 'string' } } });
  if (positionals.length < 1 || positionals.length > 2) throw new InputError(USAGE);
  checkFinish(values.finish);
  const [spec, instruction = ''] = positionals;
  const bars = countOption('bars', values.bars) ?? DEFAULT_NEW_BARS;
  const options = { instruction, seed: numberOption('seed', values.seed), temperature: numberOption('temperature', values.temperature) };
  const { parent, name } = await readParentInput(spec, 'continue');
  const started = performance.now();
  await withEngine(values.soundfont, async (engine) => {
    progress('continuing...');
    const continuation = await engine.continuePiece(parent, bars, options);
    const { parentBars, applied } = continuation;
    const newBars = continuation.header.bars - parentBars;
    const startBar = parentBars + 1;
    const startSeconds = barStartSeconds(continuation.score, parentBars);
    const title = instruction.trim() ? `${name}, continued: ${instruction.trim()}` : `${name}, continued`;
    const files = await writeTake(continuation, values, fileNameFor(`${name} continued`, continuation.seed), title);
    printTake(takeSummary(continuation, files, performance.now() - started), values.json, `continued ${name} with ${continuation.modelId}, seed ${continuation.seed}`, [
      `bars 1-${parentBars} as sent, unchanged; the new part starts at bar ${startBar} (${clock(startSeconds)}), ${newBars} bar${newBars === 1 ? '' : 's'}`,
      ...(applied.length ? [`the new part: ${applied.join(', ')}`] : []),
    ], { continuation: { parentBars, newBars, startBar, startSeconds: Number(startSeconds.toFixed(3)), applied, windows: continuation.timings.windows } });
  });
}
