import { parseArgs } from 'node:util';
import { analyzeScore } from '../analysis/analysis.ts';
import { keyName } from '../music/keys.ts';
import { InputError, readScoreInput } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new InputError('usage: motif analyze FILE.mid');
  const analysis = analyzeScore(await readScoreInput(positionals[0], 'analyze'));
  console.log(JSON.stringify({ ...analysis, keyName: analysis.key ? keyName(analysis.key) : null }, null, 2));
}
