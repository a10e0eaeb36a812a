import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildDataset, DEFAULT_BUILD_OPTIONS } from '../dataset/build.ts';
import { InputError } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: process.env.MOTIF_DATA ?? '../shared/data' },
      out: { type: 'string', default: 'data/built' },
      limit: { type: 'string' },
      seed: { type: 'string', default: String(DEFAULT_BUILD_OPTIONS.seed) },
      card: { type: 'string' },
    },
  });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new InputError('--limit must be a positive whole number');
  const interactive = process.stderr.isTTY;
  let lastLine = 0;
  const report = await buildDataset({
    ...DEFAULT_BUILD_OPTIONS,
    dataDir: path.resolve(values.data!),
    outDir: path.resolve(values.out!),
    limit,
    seed: Number(values.seed),
    cardPath: values.card ? path.resolve(values.card) : undefined,
    onProgress: (message) => {
      if (interactive) process.stderr.write(`\r\x1b[2K${message}`);
      else if (Date.now() - lastLine > 30_000) {
        // Logs get a line every half minute rather than a redrawn status line.
        lastLine = Date.now();
        process.stderr.write(`${message}\n`);
      }
    },
  });
  if (interactive) process.stderr.write('\n');
  const { train, validation, test } = report.counts;
  console.log(`built ${train.examples + validation.examples + test.examples} examples in ${report.seconds.toFixed(0)} s -> ${values.out}`);
  console.log(`  train ${train.examples} examples, ${train.tokens} tokens; validation ${validation.examples}; test ${test.examples}`);
}
