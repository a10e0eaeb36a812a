/**
 * `motif bench`: how fast the pieces of a request are on this machine. Each figure comes with its baseline from the
 * same run (batch 1 for larger batches, full recompute for the KV cache, the music's own length for compose and
 * render), because these machines are noisy and absolute times travel badly. docs/BENCH.md describes the method.
 */
import { availableParallelism, cpus } from 'node:os';
import { config } from '../config.ts';
import { benchmarkDecode, MotifEngine, type DecodeBenchmark, type EngineOptions } from '../inference/index.ts';
import { percentile } from '../analysis/metrics/index.ts';
import { scoreEndTick, tickToSeconds } from '../music/score.ts';
import { getSynthPool, measureRenderSpeed, renderAudio } from '../render/index.ts';
import { benchBaselineExport, type ExportComparison } from './export-bench.ts';
import { benchKvCache, type KvCacheBench } from './kv-cache-bench.ts';
import { benchThreads, type ThreadBench } from './thread-bench.ts';
import { benchGenreSongs, benchRender, songRender, type GenreRenders, type RenderBench, type SongRender } from './render-bench.ts';

export interface BenchOptions {
  /** Compose (and compose + render) runs for the latency figures. */
  runs: number;
  /** Cached decoder steps per batch size. */
  steps: number;
  /** Sequence length for KV cache against full recompute. */
  kvTokens: number;
  /** Recompute is timed on every kvStride-th prefix length (kv-cache-bench.ts); 1 times them all. */
  kvStride: number;
  /** Length of the benchmark piece. */
  seconds: number;
  soundfont?: string;
  engine?: Partial<EngineOptions>;
  /** Another export of the model whose decoder speed is measured beside this one's (export-bench.ts). */
  baselineModel?: string;
  log?: (line: string) => void;
}

export const BENCH_DEFAULTS: BenchOptions = { runs: 5, steps: 128, kvTokens: 1000, kvStride: 10, seconds: 30 };

/** A multi-track request whose tempo and instruments are forced, so every run writes the same kind of piece. */
export const BENCH_PROMPT = 'an upbeat pop song at 120 bpm with piano, electric bass, strings and drums';
/**
 * The benchmark request made dense: the same 30 seconds at this tempo hold about 1,500 tokens, what the 4-part piece
 * will cost once the model writes as many notes a bar as real 4-part music has (docs/BENCH.md). Written in one pass
 * (no form), so that every token is the model's.
 */
export const DENSE_BPM = 250;
/** Eight parts (seven instruments and drums), for the render issue's goal on a piece Motif writes. */
export const ENSEMBLE_PROMPT = 'a cinematic pop piece at 110 bpm with piano, strings, flute, trumpet, electric bass, acoustic guitar, choir and drums';

export interface Latency {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export interface BenchReport {
  modelId: string;
  machine: { cpu: string; cores: number; node: string; device: string; threads: number };
  modelLoadMs: number;
  encoder: { singleMs: number; guidedMs: number; guidedOverSingle: number };
  decode: {
    batch1TokPerS: number;
    batch4TokPerS: number;
    batch8TokPerS: number;
    /** Throughput over batch 1's. */
    batch4Scaling: number;
    batch8Scaling: number;
    /** Batch 1 with 1,000 tokens of context (decodeRates' longContext). */
    batch1At1000TokPerS: number;
    detail: DecodeBenchmark['cached'];
    longContext: DecodeBenchmark['longContext'];
  };
  /** The sessions in a worker thread against the same export in this thread. */
  threads: ThreadBench;
  /** Another export's decoder speed in the same run (--baseline-model); null without one. */
  baselineExport: ExportComparison | null;
  kvCache: KvCacheBench;
  kvCacheSpeedup1000: number;
  /** A single request through the batching scheduler against the same request decoded on its own. */
  batching: DecodeBenchmark['engine'];
  compose30s: Latency & { audioSeconds: number; tokens: number; tokensPerSecond: number; realtimeX: number; encodeMs: number; decodeMs: number };
  /** The benchmark request at DENSE_BPM, in one pass. */
  dense30s: Latency & { bpm: number; bars: number; audioSeconds: number; tokens: number; tokensPerSecond: number; realtimeX: number };
  render: { audioSeconds: number; soundfontLoadMs: number; synthMs: number; loudnessMs: number; encodeMs: number; realtimeX: number; pipelineRealtimeX: number };
  renderRealtimeX: number;
  opusEncodeMs: number;
  opusRealtimeX: number;
  /** A real song's 30 s with 8+ tracks, our encoder against ffmpeg's; null without the shared data. */
  renderSong: RenderBench | null;
  /** The first such song of each genre in the archive; null without the shared data. */
  renderGenres: GenreRenders | null;
  /** A composed 8-part piece (ENSEMBLE_PROMPT, seed 1) rendered 3 times. */
  renderEnsemble: SongRender;
  endToEnd: Latency & { overAudio: number };
  endToEndMs: number;
  peakRssMb: number;
  totalMs: number;
}

const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);

function latency(values: readonly number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { runs: values.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
}

async function timeEncoder(engine: MotifEngine, repeats = 20): Promise<BenchReport['encoder']> {
  const model = engine.model;
  const ids = model.textIds(BENCH_PROMPT);
  const empty = model.textIds('');
  const timed = async (captions: number[][]) => {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      await model.encodeText(captions);
      times.push(performance.now() - start);
    }
    return median(times);
  };
  await timed([ids]); // warm-up
  const singleMs = await timed([ids]);
  // With guidance the engine encodes the caption and the empty caption in one batch.
  const guidedMs = await timed([ids, empty]);
  return { singleMs, guidedMs, guidedOverSingle: guidedMs / singleMs };
}

export async function runBench(options: Partial<BenchOptions> = {}): Promise<BenchReport> {
  const o = { ...BENCH_DEFAULTS, ...options };
  const log = o.log ?? (() => {});
  const started = performance.now();
  const loadStart = performance.now();
  const engine = await MotifEngine.load(o.engine);
  const modelLoadMs = performance.now() - loadStart;
  try {
    log(`model ${engine.modelId} loaded in ${Math.round(modelLoadMs)} ms; encoder`);
    const encoder = await timeEncoder(engine);
    log(`decoder: ${o.steps} cached steps at batch 1, 4, 8; cache against recompute at ${o.kvTokens} tokens`);
    // benchmarkDecode's own cache-vs-recompute times every prefix (minutes at 1,000 tokens on a real model): kept
    // short here, and measured at kvTokens by benchKvCache instead.
    const decode = await benchmarkDecode(engine, { steps: o.steps, batches: [1, 4, 8], recomputeTokens: 16 });
    const kvCache = await benchKvCache(engine.model, o.kvTokens, o.kvStride);
    const rate = (batch: number) => decode.cached.find((entry) => entry.batch === batch)!.tokensPerSecond;
    const sessions = { device: engine.device, threads: o.engine?.threads ?? config().threads, steps: Math.min(o.steps, 64) };
    log('decoder steps with the sessions in a worker thread and in this one');
    const threads = await benchThreads(engine.model, o.engine?.modelDir ?? config().modelDir, sessions);
    let baselineExport: ExportComparison | null = null;
    if (o.baselineModel) {
      log(`decoder steps of ${o.baselineModel} beside this export`);
      baselineExport = await benchBaselineExport(engine.model, o.baselineModel, sessions);
    }

    log(`${o.runs} runs of a ${o.seconds} s piece: compose, render, encode`);
    const pool = await getSynthPool(o.soundfont);
    const composeMs: number[] = [];
    const endToEndMs: number[] = [];
    const renders = [];
    const compositions = [];
    for (let run = 0; run < o.runs; run++) {
      const start = performance.now();
      const piece = await engine.compose({ prompt: BENCH_PROMPT, seconds: o.seconds, seed: 1 + run });
      const composed = performance.now();
      const audio = await renderAudio(piece.score, { soundfont: o.soundfont });
      endToEndMs.push(performance.now() - start);
      composeMs.push(composed - start);
      renders.push(audio);
      compositions.push(piece);
    }
    log(`${o.runs} runs of the same request at ${DENSE_BPM} bpm (about 1,500 tokens), in one pass`);
    const denseMs: number[] = [];
    const dense = [];
    for (let run = 0; run < o.runs; run++) {
      const start = performance.now();
      dense.push(await engine.compose({ prompt: BENCH_PROMPT, bpm: DENSE_BPM, seconds: o.seconds, seed: 1 + run, form: false }));
      denseMs.push(performance.now() - start);
    }
    const denseLatency = latency(denseMs);
    const denseTokens = median(dense.map((piece) => piece.timings.tokens));
    const denseSeconds = median(dense.map((piece) => tickToSeconds(piece.score, scoreEndTick(piece.score))));
    const audioSeconds = median(compositions.map((piece) => tickToSeconds(piece.score, scoreEndTick(piece.score))));
    const tokens = median(compositions.map((piece) => piece.timings.tokens));
    const compose = latency(composeMs);
    const renderedSeconds = median(renders.map((audio) => audio.seconds));
    const synthMs = median(renders.map((audio) => audio.timings.synthMs));
    const loudnessMs = median(renders.map((audio) => audio.timings.loudnessMs));
    const encodeMs = median(renders.map((audio) => audio.timings.encodeMs));
    const endToEnd = latency(endToEndMs);
    log(`render and encode a real ${o.seconds} s song with 8+ tracks, against ffmpeg's Opus encoder`);
    const renderSong = await benchRender(config().dataDir, o.seconds, o.soundfont);
    log(`render and encode the first ${o.seconds} s song with 8+ tracks of each genre`);
    const renderGenres = await benchGenreSongs(config().dataDir, o.seconds, o.soundfont);
    log(`render and encode a composed ${o.seconds} s piece in 8 parts`);
    const ensemble = await engine.compose({ prompt: ENSEMBLE_PROMPT, seconds: o.seconds, seed: 1 });
    const ensembleTracks = ensemble.score.tracks.filter((track) => track.notes.length > 0).length;
    const renderEnsemble = songRender(`"${ENSEMBLE_PROMPT}", seed 1`, ensembleTracks, await measureRenderSpeed(ensemble.score, { soundfont: o.soundfont }));
    return {
      modelId: engine.modelId,
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, device: engine.device, threads: o.engine?.threads ?? config().threads },
      modelLoadMs,
      encoder,
      decode: {
        batch1TokPerS: rate(1),
        batch4TokPerS: rate(4),
        batch8TokPerS: rate(8),
        batch4Scaling: rate(4) / rate(1),
        batch8Scaling: rate(8) / rate(1),
        batch1At1000TokPerS: decode.longContext.tokensPerSecond,
        detail: decode.cached,
        longContext: decode.longContext,
      },
      threads,
      baselineExport,
      kvCache,
      kvCacheSpeedup1000: kvCache.speedup,
      batching: decode.engine,
      compose30s: {
        ...compose,
        audioSeconds,
        tokens,
        tokensPerSecond: (tokens * 1000) / compose.p50Ms,
        realtimeX: (audioSeconds * 1000) / compose.p50Ms,
        encodeMs: median(compositions.map((piece) => piece.timings.encodeMs)),
        decodeMs: median(compositions.map((piece) => piece.timings.decodeMs)),
      },
      dense30s: {
        ...denseLatency,
        bpm: DENSE_BPM,
        bars: median(dense.map((piece) => piece.header.bars)),
        audioSeconds: denseSeconds,
        tokens: denseTokens,
        tokensPerSecond: (denseTokens * 1000) / denseLatency.p50Ms,
        realtimeX: (denseSeconds * 1000) / denseLatency.p50Ms,
      },
      render: {
        audioSeconds: renderedSeconds,
        soundfontLoadMs: pool.loadMs,
        synthMs,
        loudnessMs,
        encodeMs,
        realtimeX: (renderedSeconds * 1000) / synthMs,
        pipelineRealtimeX: (renderedSeconds * 1000) / (synthMs + loudnessMs + encodeMs),
      },
      renderRealtimeX: (renderedSeconds * 1000) / synthMs,
      opusEncodeMs: encodeMs,
      opusRealtimeX: (renderedSeconds * 1000) / encodeMs,
      renderSong,
      renderGenres,
      renderEnsemble,
      endToEnd: { ...endToEnd, overAudio: endToEnd.p50Ms / (renderedSeconds * 1000) },
      endToEndMs: endToEnd.p50Ms,
      // maxRSS is in kilobytes; it covers the synthesis and encoding threads, not the ffmpeg child process.
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      totalMs: performance.now() - started,
    };
  } finally {
    await engine.close();
  }
}
