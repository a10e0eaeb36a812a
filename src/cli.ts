/**
 * The `motif` command. Each subcommand lives in src/cli/<name>.ts and exports `run(args)`; errors a user can act on
 * print as one line and exit non-zero.
 */
import { MidiReadError } from './music/midi.ts';
import { InputError } from './cli/input.ts';
import { isUserFacing } from './inference/errors.ts';
import { ConfigError } from './config.ts';

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<void> }> }> = {
  compose: { summary: 'compose "<prompt>" [--seed N] [--bars N] [--temperature T] [--out DIR] [--json]  compose, render .ogg/.mid/.png', load: () => import('./cli/compose.ts') },
  vary: { summary: 'vary FILE.mid "<instruction>" [--keep-bars N] [--seed N] [--out DIR] [--json]  a variation of a MIDI file, as the bot\'s reply does', load: () => import('./cli/vary.ts') },
  extend: { summary: 'extend FILE.mid [--bars N] [--seed N] [--out DIR] [--json]  a MIDI file and N more bars, as the bot\'s Extend button does', load: () => import('./cli/extend.ts') },
  continue: { summary: 'continue FILE.mid ["<prompt>"] [--bars N] [--seed N] [--out DIR] [--json]  a MIDI file unchanged, then N new bars carrying it on', load: () => import('./cli/continue.ts') },
  restyle: { summary: 'restyle FILE.mid "<prompt>" [--keep PART] [--seed N] [--out DIR] [--json]  a MIDI file\'s melody kept, the rest new from the prompt', load: () => import('./cli/restyle.ts') },
  analyze: { summary: 'analyze FILE.mid          print the musical analysis as JSON', load: () => import('./cli/analyze.ts') },
  tokens: { summary: 'tokens FILE.mid           token count, tokens per bar, and the round-trip check', load: () => import('./cli/tokens.ts') },
  dataset: { summary: 'dataset [--data DIR] [--out DIR] [--limit N] [--card FILE]  build the training set', load: () => import('./cli/dataset.ts') },
  render: { summary: 'render FILE.mid [--soundfont NAME|PATH] [--out DIR] [--finish none|lofi|ambient] [--json]  .ogg, .png and .mid of a take', load: () => import('./cli/render.ts') },
  bot: { summary: 'bot                       run the Discord bot (DISCORD_TOKEN, DISCORD_APPLICATION_ID in .env)', load: () => import('./cli/bot.ts') },
  worker: { summary: 'worker                    make the music of the bot\'s jobs from Redis (REDIS_URL; README, "Deployment")', load: () => import('./cli/worker.ts') },
  register: { summary: 'register [--guild ID]     register the slash commands with Discord', load: () => import('./cli/register.ts') },
  'export-preferences': { summary: 'export-preferences --out FILE.jsonl [--db FILE] [--model DIR] [--min-margin N]  preference pairs from the votes (docs/PREFERENCES.md)', load: () => import('./cli/export-preferences.ts') },
  'auto-preferences': { summary: 'auto-preferences (--prompts FILE.jsonl | --train-captions N) --out FILE.jsonl [--takes N]  automatic preference pairs by the music reward, until people vote (docs/PREFERENCES.md)', load: () => import('./cli/auto-preferences.ts') },
  eval: { summary: 'eval --prompts FILE.jsonl [--seeds N] [--limit N] [--test-split N] [--out F.json] [--md F.md] [--png F.png]  score a model (docs/EVAL.md)', load: () => import('./cli/eval.ts') },
  'eval-follow-ups': { summary: 'eval-follow-ups [--archive F.tar.gz] [--files N] [--bars N] [--md F.md]  continue and restyle on real files: bars given back, meter, tempo, key, kept notes', load: () => import('./cli/eval-follow-ups.ts') },
  bench: { summary: 'bench [--runs N] [--json]  encoder, decode, compose, render and Opus speed, peak memory (docs/BENCH.md)', load: () => import('./cli/bench.ts') },
  palettes: { summary: 'palettes [--data DIR] [--out FILE]  which instruments each genre uses, for the engine (models/instrument-palettes.json)', load: () => import('./cli/palettes.ts') },
  'label-stats': { summary: 'label-stats [--data DIR] [--out FILE.json]  tempo, drums, meters, mode and instruments per genre and mood of the training data (docs/PROMPTS.md)', load: () => import('./cli/label-stats.ts') },
  'token-stats': { summary: 'token-stats [--data DIR]  tokens per bar and per 30 s for each source of the shared data', load: () => import('./cli/token-stats.ts') },
};

function usage(): string {
  const lines = Object.values(SUBCOMMANDS).map((command) => `  motif ${command.summary}`);
  return ['usage:', ...lines, '', 'FILE.mid may also be ARCHIVE.tar.gz:MEMBER to read a file inside a data archive.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    console.error(`motif: unknown command "${name}"\n${usage()}`);
    return 1;
  }
  try {
    await (await command.load()).run(args);
    return 0;
  } catch (error) {
    if (error instanceof InputError || error instanceof MidiReadError || error instanceof ConfigError || isUserFacing(error)
      || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`motif ${name}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
