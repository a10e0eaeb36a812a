/** `motif bench`: speed of encoding, decoding, composing, rendering and encoding to Opus on this machine (docs/BENCH.md). */
import { parseArgs } from 'node:util';
import { BENCH_DEFAULTS, runBench, type BenchReport } from '../eval/bench.ts';
import type { SongRender } from '../eval/render-bench.ts';
import { ModelFilesError, ModelMismatchError } from '../inference/index.ts';
import { SoundFontError, closeRenderThreads } from '../render/index.ts';
import { InputError } from './input.ts';

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InputError(`--${name} must be a whole number from 1 up, not "${text}"`);
  return value;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : Math.round(value)} ms`;
const x = (value: number) => `${value.toFixed(value >= 10 ? 0 : 1)}x`;

function table(report: BenchReport): string {
  const { decode, kvCache, compose30s, dense30s, render, endToEnd, encoder, batching, threads } = report;
  const rows: Array<[string, string, string]> = [
    ['model load', ms(report.modelLoadMs), 'once per process'],
    ['encoder, one caption', ms(encoder.singleMs), `${x(encoder.guidedOverSingle)} for caption + empty caption (guidance)`],
    ['decode, batch 1', `${decode.batch1TokPerS.toFixed(0)} tok/s`, 'KV cache, one token per call'],
    ['decode, batch 4', `${decode.batch4TokPerS.toFixed(0)} tok/s`, `${x(decode.batch4Scaling)} batch 1`],
    ['decode, batch 8', `${decode.batch8TokPerS.toFixed(0)} tok/s`, `${x(decode.batch8Scaling)} batch 1`],
    [`decode, batch 1 at ${decode.longContext.context} tokens of context`, `${decode.batch1At1000TokPerS.toFixed(0)} tok/s`, `${x(decode.batch1At1000TokPerS / decode.batch1TokPerS)} batch 1 from an empty cache`],
    [
      `decode, guided (2 rows) at ${threads.context} tokens, sessions in a worker`,
      ms(threads.worker.msPerStep),
      `this thread busy ${ms(threads.worker.busyMsPerStep)} a step; in this thread ${ms(threads.inThread.msPerStep)} a step, all of it busy`,
    ],
    ...baselineRows(report),
    [`KV cache at ${kvCache.tokens} tokens`, `${ms(kvCache.cachedMs)}`, `${x(kvCache.speedup)} faster than recomputing every prefix (${ms(kvCache.recomputeMs)}, from ${kvCache.recomputeSamples} lengths)`],
    ['one request through the batcher', `${batching.batchingOverheadPercent.toFixed(1)}%`, `against the same request unbatched (${ms(batching.unbatched.ms)})`],
    [`${batching.concurrent.requests} concurrent requests`, `${batching.concurrent.tokensPerSecond.toFixed(0)} tok/s`, `${x(batching.concurrent.tokensPerSecond / batching.single.tokensPerSecond)} one request alone`],
    [`compose ${compose30s.audioSeconds.toFixed(1)} s piece, p50`, ms(compose30s.p50Ms), `${x(compose30s.realtimeX)} real time, ${Math.round(compose30s.tokens)} tokens`],
    [`compose, p95 of ${compose30s.runs}`, ms(compose30s.p95Ms), `min ${ms(compose30s.minMs)}, max ${ms(compose30s.maxMs)}`],
    [
      `compose dense ${dense30s.audioSeconds.toFixed(1)} s (${dense30s.bpm} bpm, ${dense30s.bars} bars, one pass), p50`,
      ms(dense30s.p50Ms),
      `${Math.round(dense30s.tokens)} tokens, ${dense30s.tokensPerSecond.toFixed(0)} tok/s; p95 ${ms(dense30s.p95Ms)}`,
    ],
    ['render (synthesis)', ms(render.synthMs), `${x(render.realtimeX)} real time; SoundFont load ${ms(render.soundfontLoadMs)} once`],
    ['Opus encode', ms(report.opusEncodeMs), `${x(report.opusRealtimeX)} real time`],
    ...renderSongRows(report),
    ['compose + render + encode, p50', ms(endToEnd.p50Ms), `p95 ${ms(endToEnd.p95Ms)}; ${(endToEnd.overAudio * 100).toFixed(0)}% of the music's length`],
    ['peak memory (RSS)', `${report.peakRssMb.toFixed(0)} MB`, 'this process and its synthesis and encoding threads'],
  ];
  const lines = [
    `motif bench: ${report.modelId} on ${report.machine.device}, ${report.machine.cpu} (${report.machine.cores} cores, ${report.machine.threads} threads per operator), node ${report.machine.node}`,
    '',
    '| figure | value | baseline (same run) |',
    '|---|---:|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  return lines.join('\n');
}

function baselineRows({ baselineExport: comparison }: BenchReport): Array<[string, string, string]> {
  if (!comparison) return [];
  const { ours, baseline } = comparison;
  const figures: Array<[string, number, number]> = [
    ...baseline.cached.map((rate, i): [string, number, number] => [`batch ${rate.batch}`, ours.cached[i].tokensPerSecond, rate.tokensPerSecond]),
    [`batch 1 at ${baseline.longContext.context} tokens`, ours.longContext.tokensPerSecond, baseline.longContext.tokensPerSecond],
  ];
  return figures.map(([what, mine, theirs]) => [
    `decode, ${what}: this export / ${comparison.baselineId} (${comparison.baselineLayout} cache)`,
    `${mine.toFixed(0)} / ${theirs.toFixed(0)} tok/s`,
    `${x(mine / theirs)} the other export, alternated in this run`,
  ]);
}

function renderSongRows({ renderSong: song, renderGenres: genres, renderEnsemble: ensemble }: BenchReport): Array<[string, string, string]> {
  const songRow = (label: string, take: SongRender): [string, string, string] => [
    `${label}: ${take.tracks} tracks, ${take.audioSeconds.toFixed(1)} s`,
    ms(take.totalMs),
    `synthesis ${ms(take.synthMs)} (${x(take.synthRealtimeX)} real time), loudness ${ms(take.loudnessMs)}, encode ${ms(take.encodeMs)}`,
  ];
  const rows = [songRow('render + encode of a composed 8-part piece', ensemble)];
  if (!song || !genres) return [...rows, ['render + encode of real songs', 'skipped', 'the shared data (MOTIF_DATA) is not here']];
  const reference = songRow(`render + encode, ${song.source}`, song);
  reference[2] += `; ${ms(song.baselineTotalMs)} with ffmpeg's encoder`;
  rows.push(
    reference,
    [`Opus encode of that song (${song.encoder})`, ms(song.encodeMs), `${x(song.encodeSpeedup)} faster than ffmpeg's libopus (${ms(song.baselineEncodeMs)})`],
    [
      `render + encode, first 8-track song of each of ${genres.songs.length} genres: median`,
      ms(genres.medianTotalMs),
      `synthesis ${x(genres.medianSynthRealtimeX)} real time (median); slowest ${ms(genres.worstTotalMs)}, ${x(genres.worstSynthRealtimeX)}`,
    ],
    ...genres.songs.map((genreSong) => songRow(`  ${genreSong.source}`, genreSong)),
  );
  return rows;
}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      steps: { type: 'string' },
      'kv-tokens': { type: 'string' },
      'kv-stride': { type: 'string' },
      seconds: { type: 'string' },
      soundfont: { type: 'string' },
      model: { type: 'string' },
      'baseline-model': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw new InputError('usage: motif bench [--runs N] [--steps N] [--kv-tokens N] [--kv-stride N] [--seconds N] [--soundfont NAME|PATH] [--model DIR] [--baseline-model DIR] [--json]');
  try {
    const report = await runBench({
      runs: positiveInt('runs', values.runs, BENCH_DEFAULTS.runs),
      steps: positiveInt('steps', values.steps, BENCH_DEFAULTS.steps),
      kvTokens: positiveInt('kv-tokens', values['kv-tokens'], BENCH_DEFAULTS.kvTokens),
      kvStride: positiveInt('kv-stride', values['kv-stride'], BENCH_DEFAULTS.kvStride),
      seconds: positiveInt('seconds', values.seconds, BENCH_DEFAULTS.seconds),
      soundfont: values.soundfont,
      engine: values.model ? { modelDir: values.model } : undefined,
      baselineModel: values['baseline-model'],
      log: values.json ? undefined : (line) => console.error(`bench: ${line}`),
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : table(report));
  } catch (error) {
    if (error instanceof ModelFilesError || error instanceof ModelMismatchError || error instanceof SoundFontError) throw new InputError(error.message);
    throw error;
  } finally {
    await closeRenderThreads();
  }
}
