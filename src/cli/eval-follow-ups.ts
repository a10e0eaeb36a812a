/**
 * `motif eval-follow-ups [--archive FILE.tar.gz] [--files N] [--bars N] [--new-bars N] [--md FILE]`: continuation and
 * restyling on the opening bars of the first N readable files of a shared archive (src/eval/follow-ups.ts).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isMidiName, readArchive } from '../dataset/archive.ts';
import { evaluateFollowUp, followUpMarkdown, type FollowUpResult } from '../eval/follow-ups.ts';
import { MotifEngine } from '../inference/index.ts';
import { readMidi } from '../music/midi.ts';
import { noteCount } from '../music/score.ts';
import { countOption } from './take-output.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: {
    archive: { type: 'string', default: '../shared/data/multitrack/freedoom.tar.gz' },
    files: { type: 'string' }, bars: { type: 'string' }, 'new-bars': { type: 'string' }, md: { type: 'string' }, seed: { type: 'string' },
  } });
  const files = countOption('files', values.files) ?? 10;
  const bars = countOption('bars', values.bars) ?? 8;
  const newBars = countOption('new-bars', values['new-bars']) ?? 4;
  const seed = countOption('seed', values.seed) ?? 1;
  const engine = await MotifEngine.load({ form: false });
  const results: FollowUpResult[] = [];
  try {
    for await (const member of readArchive(values.archive, isMidiName)) {
      if (results.length >= files) break;
      let score;
      try {
        score = readMidi(member.bytes);
      } catch {
        continue;
      }
      if (noteCount(score) === 0) continue;
      const result = await evaluateFollowUp(engine, member.name, score, bars, newBars, seed);
      console.error(`${member.name}: ${JSON.stringify(result)}`);
      results.push(result);
    }
  } finally {
    await engine.close();
  }
  const markdown = followUpMarkdown(results);
  console.log(markdown);
  if (values.md) await writeFile(values.md, `${markdown}\n`);
}
