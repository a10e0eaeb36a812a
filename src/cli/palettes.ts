/** `motif palettes`: counts which instruments each genre uses in a built dataset (src/dataset/instrument-palettes.ts). */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildInstrumentPalettes } from '../dataset/instrument-palettes.ts';
import { InputError } from './input.ts';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: 'data/built' }, out: { type: 'string', default: 'models/instrument-palettes.json' } },
  });
  if (positionals.length) throw new InputError('usage: motif palettes [--data DIR] [--out FILE.json]');
  const started = performance.now();
  let palettes;
  try {
    palettes = buildInstrumentPalettes(values.data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${values.data} holds no built dataset (npx motif dataset)`);
    throw error;
  }
  writeFileSync(values.out, `${JSON.stringify(palettes, null, 2)}\n`);
  const genres = Object.entries(palettes.genres);
  console.log(`${genres.length} genres from ${values.data} in ${((performance.now() - started) / 1000).toFixed(0)} s -> ${values.out}`);
  for (const [genre, palette] of genres) console.log(`  ${genre}: ${palette.examples} examples, ${Object.keys(palette.instruments).length} instruments`);
}
