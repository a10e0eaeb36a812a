/**
 * `motif label-stats`: tempo, drums, meters, mode and instruments per genre and mood label of a built dataset
 * (src/dataset/label-statistics.ts), as the markdown tables docs/PROMPTS.md keeps.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildLabelStatistics, labelStatisticsTable } from '../dataset/label-statistics.ts';
import { InputError } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: 'data/built' }, out: { type: 'string' } },
  });
  if (positionals.length) throw new InputError('usage: motif label-stats [--data DIR] [--out FILE.json]');
  let statistics;
  try {
    statistics = buildLabelStatistics(values.data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${values.data} holds no built dataset (npx motif dataset)`);
    throw error;
  }
  if (values.out) writeFileSync(values.out, `${JSON.stringify(statistics, null, 2)}\n`);
  console.log(`Dataset ${statistics.dataset} (${values.data}), train split.\n`);
  console.log(labelStatisticsTable(statistics.genres, 'genre'));
  console.log();
  console.log(labelStatisticsTable(statistics.moods, 'mood'));
}
