import { parseArgs } from 'node:util';
import { measureTokenStats } from '../dataset/token-stats.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { data: { type: 'string', default: '../shared/data' }, files: { type: 'string', default: '200' }, json: { type: 'boolean' } },
  });
  const stats = await measureTokenStats(values.data!, Number(values.files));
  if (values.json) {
    console.log(JSON.stringify(stats, null, 2));
    return;
  }
  console.log('| source | files | tokens per bar | tokens per 30 s | median tokens per file |');
  console.log('|---|---:|---:|---:|---:|');
  for (const s of stats) {
    console.log(`| ${s.source} | ${s.files} | ${s.tokensPerBar.toFixed(1)} | ${s.tokensPer30s.toFixed(0)} | ${s.medianTokensPerFile} |`);
  }
}
