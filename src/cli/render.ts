import { parseArgs } from 'node:util';
import { FINISH_STYLES, RenderError, SoundFontError, renderFiles, type FinishStyle } from '../render/index.ts';
import { InputError, inputBaseName, readScoreInput } from './input.ts';

const USAGE = 'usage: motif render FILE.mid [--soundfont NAME|PATH] [--out DIR] [--finish none|lofi|ambient] [--title TEXT] [--json]';

export async function run(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      soundfont: { type: 'string' },
      out: { type: 'string', default: 'out' },
      finish: { type: 'string', default: 'none' },
      title: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new InputError(USAGE);
  if (!(FINISH_STYLES as readonly string[]).includes(values.finish)) {
    throw new InputError(`--finish must be one of ${FINISH_STYLES.join(', ')}`);
  }
  const spec = positionals[0];
  const score = await readScoreInput(spec, 'render');
  // For ARCHIVE.tar.gz:MEMBER the files are named after the member.
  const baseName = inputBaseName(spec);
  const result = await renderFiles(score, {
    outDir: values.out,
    baseName,
    title: values.title ?? baseName,
    finish: values.finish as FinishStyle,
    soundfont: values.soundfont,
  }).catch((error: unknown) => {
    if (error instanceof SoundFontError || error instanceof RenderError) throw new InputError(error.message);
    throw error;
  });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const { timings, loudness } = result;
  const ms = (value: number) => `${Math.round(value)} ms`;
  console.log(`wrote ${result.midiPath}`);
  console.log(`      ${result.oggPath}  ${result.seconds.toFixed(1)} s, ${result.bitrate / 1000} kb/s, ${loudness.outputLufs.toFixed(1)} LUFS, true peak ${loudness.truePeakDbtp.toFixed(1)} dBTP`);
  console.log(`      ${result.pngPath}`);
  if (timings.soundfontLoadMs > 0) console.log(`soundfont ${result.soundfont} loaded in ${(timings.soundfontLoadMs / 1000).toFixed(1)} s`);
  console.log(
    `synthesis ${ms(timings.synthMs)} (${timings.synthSpeed.toFixed(0)}x real time), loudness ${ms(timings.loudnessMs)}, `
      + `Opus encoding ${ms(timings.encodeMs)}, piano roll ${ms(timings.pianoRollMs)}`,
  );
}
