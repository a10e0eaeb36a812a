import { parseArgs } from 'node:util';
import { checkRoundTrip } from '../tokens/roundtrip.ts';
import { encodeScore } from '../tokens/tokenizer.ts';
import { tokenName } from '../tokens/vocab.ts';
import { InputError, readScoreInput } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, show: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new InputError('usage: motif tokens FILE.mid [--json] [--show N]');
  const score = await readScoreInput(positionals[0], 'tokens');
  const report = checkRoundTrip(score);
  const result = {
    tokens: report.tokens,
    bars: report.bars,
    notes: report.notes,
    tokensPerBar: Number((report.tokens / report.bars).toFixed(1)),
    roundTrip: report.ok,
    differences: report.differences,
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`tokens: ${result.tokens}\nbars: ${result.bars}\nnotes: ${result.notes}\ntokens per bar: ${result.tokensPerBar}`);
    console.log(`decode(encode(x)) reproduces the file on the grid: ${report.ok ? 'yes' : 'no'}`);
    for (const difference of report.differences) console.log(`  ${difference}`);
  }
  const show = Number(values.show ?? 0);
  if (show > 0) console.log(encodeScore(score).slice(0, show).map(tokenName).join(' '));
}
