/** The evaluation report as markdown: the tables docs/EVAL.md shows, and the runs that missed a check. */
import path from 'node:path';
import { MUSICALITY_METRICS, type Summary } from '../analysis/metrics/index.ts';
import { GENRE_TABLE_METRICS, musicalityByGenre } from './aggregate.ts';
import { CHECKS, CHECK_LABELS, REQUIREMENT_CHECKS } from './judge.ts';
import type { SamplingOptions } from '../inference/logits.ts';
import type { EvalReport, EvalRun } from './run-eval.ts';

const fixed = (value: number | null | undefined, digits = 3) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));
const pct = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? 'n/a' : `${(100 * value).toFixed(1)}%`);
const pct100 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const quote = (prompt: string) => (prompt.trim() === '' ? '(empty)' : `"${cell(prompt.length > 70 ? `${prompt.slice(0, 67)}...` : prompt)}"`);
const isSkipped = (value: object): value is { skipped: string } => 'skipped' in value;

function summaryCells(summary: Summary | undefined): string {
  if (!summary || summary.count === 0) return 'n/a | n/a | n/a | n/a';
  return [summary.mean, summary.p10, summary.p50, summary.p90].map((value) => fixed(value)).join(' | ');
}

/** What a run missed, in words: "bpm (got 92)". */
function missed(run: EvalRun): string[] {
  const m = run.measured;
  const got: Partial<Record<string, string>> = m ? {
    bpm: `${m.bpm} BPM`, tempoBin: `${m.bpm} BPM`, tempoBinNear: `${m.bpm} BPM`, tempoRange: `${m.bpm} BPM`,
    key: m.key ?? 'no key', keyOrRelative: m.key ?? 'no key', timeSignature: m.timeSignature,
    instrumentRecall: m.instruments.join(', ') || 'none', instrumentPrecision: m.instruments.join(', ') || 'none',
    drums: m.drums ? 'drums' : 'no drums', bars: `${m.bars} bars, header ${m.headerBars}`,
  } : {};
  return CHECKS.filter((check) => run.checks[check] !== undefined && run.checks[check]! < 1 && (REQUIREMENT_CHECKS.includes(check) || check === 'instrumentPrecision'))
    .map((check) => (got[check] ? `${check} (${got[check]})` : check));
}

export function evalMarkdown(report: EvalReport): string {
  const lines: string[] = [];
  const add = (...more: string[]) => lines.push(...more);
  const { settings } = report;
  add('# Motif evaluation', '');
  add(`Model \`${report.model.id}\` (${report.model.device}), ${report.createdAt}. Prompts: \`${settings.prompts}\` (${settings.promptCount}), seeds ${settings.seeds.join(', ')}.`);
  const sampling = settings.sampling as Partial<SamplingOptions> | undefined;
  if (sampling) add(`Sampling: temperature ${sampling.temperature}, top-k ${sampling.topK || 'off'}, top-p ${sampling.topP}, guidance ${sampling.guidance}, key prior ${sampling.keyPrior || 'off'}.`);
  add(isSkipped(report.dataset) ? `Dataset: none (${report.dataset.skipped}).` : `Dataset: \`${path.relative(process.cwd(), report.dataset.dir) || '.'}\`${report.dataset.matchesModel ? '' : ' (WARNING: its text vocabulary is not the model\'s)'}.`);
  add(`Runs: ${report.outcomes.composed} composed, ${report.outcomes.refused} refused, ${report.outcomes.failed} failed; ${(report.timings.totalMs / 1000).toFixed(1)} s in all.`, '');

  add('## Prompt adherence', '', '| check | runs | rate |', '|---|---:|---:|');
  for (const check of CHECKS) {
    const rate = report.attributes[check];
    if (rate) add(`| ${CHECK_LABELS[check]} | ${rate.count} | ${pct(rate.mean)} |`);
  }
  add('', `Overall: mean of the rates above ${pct(report.overall.attributeMean)}; runs that met every requirement (precision aside) ${pct(report.overall.fullyMet)} of ${report.overall.runs}.`);
  const notScored = Object.entries(report.notScored).map(([field, count]) => `${field} ${count}`).join(', ');
  if (notScored) add('', `Not scored (no classifier reads them from notes; kept in the JSON report): ${notScored} prompts.`);
  const unknown = Object.entries(report.unknownFields).map(([field, count]) => `${field} ${count}`).join(', ');
  if (unknown) add('', `Unknown expectation fields (kept, not scored): ${unknown}.`);

  add('', '## Musicality beside real songs', '');
  add('Generated pieces against the pooled real-song sample of docs/metrics-reference.json (docs/METRICS.md).', '');
  add('| metric | generated n | mean | p10 | p50 | p90 | real songs n | mean | p10 | p50 | p90 |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const metric of MUSICALITY_METRICS) {
    const { generated, reference } = report.musicality[metric];
    add(`| ${metric} | ${generated.count} | ${summaryCells(generated)} | ${reference?.count ?? 'n/a'} | ${summaryCells(reference)} |`);
  }

  const genres = musicalityByGenre(report.runs);
  if (genres.length) {
    add('', '## Musicality by genre', '');
    add('Medians over the composed runs of the prompts that expect each genre (the metrics as above).', '');
    add(`| genre | runs | ${GENRE_TABLE_METRICS.join(' | ')} |`, `|---|---:|${GENRE_TABLE_METRICS.map(() => '---:').join('|')}|`);
    for (const { genre, runs, medians } of genres) add(`| ${cell(genre)} | ${runs} | ${GENRE_TABLE_METRICS.map((metric) => fixed(medians[metric])).join(' | ')} |`);
  }

  add('', '## Originality', '');
  if (isSkipped(report.originality)) add(`Skipped: ${report.originality.skipped}.`);
  else {
    add('Longest run of consecutive non-empty bars of a piece found, in order, in one training example (exact notes: instrument, position, pitch, duration).', '');
    add('| bars compared | pieces | mean run | p50 | p90 | max | longest at | bars found anywhere in train (mean) |', '|---|---:|---:|---:|---:|---:|---|---:|');
    for (const [kind, summary] of Object.entries(report.originality)) {
      const at = summary.maxAt ? `line ${summary.maxAt.line} ${quote(summary.maxAt.prompt)} seed ${summary.maxAt.seed}, train example ${summary.maxAt.trainExample ?? '-'}` : '-';
      add(`| ${kind === 'all' ? 'all tracks' : 'pitched tracks only'} | ${summary.pieces} | ${fixed(summary.longestRun.mean, 2)} | ${fixed(summary.longestRun.p50, 1)} | ${fixed(summary.longestRun.p90, 1)} | ${summary.maxRun} | ${at} | ${pct(summary.inTraining.mean)} |`);
    }
  }

  add('', '## Eval prompts among the training captions', '');
  if (isSkipped(report.captionOverlap)) add(`Not checked: ${report.captionOverlap.skipped}.`);
  else {
    const overlap = report.captionOverlap;
    add(`${overlap.prompts} prompts compared with ${overlap.captions} train captions (normalised text): ${overlap.matches.length} found.`);
    for (const match of overlap.matches) add(`- line ${match.line} ${quote(match.prompt)} = a caption of train example ${match.trainExample}`);
  }

  add('', '## text2midi protocol on the test split', '');
  if (isSkipped(report.testSplit)) add(`Skipped: ${report.testSplit.skipped}.`);
  else {
    const t = report.testSplit;
    const { text2midi, MuseCoco, source } = t.published;
    add(`One caption of each of ${t.examples} test examples (of ${t.available}), composed with seed 1; tempo and key of the output against the example's header. Percent.`, '');
    add('| model | data | TB | TBT | CK | CKD |', '|---|---|---:|---:|---:|---:|');
    add(`| Motif (${report.model.id}) | our test split, ${t.composed} pieces | ${pct100(t.TB)} | ${pct100(t.TBT)} | ${pct100(t.CK)} | ${pct100(t.CKD)} |`);
    add(`| text2midi | MidiCaps | ${text2midi.TB} | ${text2midi.TBT} | ${text2midi.CK} | ${text2midi.CKD} |`);
    add(`| MuseCoco | MidiCaps | ${MuseCoco.TB} | ${MuseCoco.TBT} | ${MuseCoco.CK} | ${MuseCoco.CKD} |`);
    add('', `Published numbers: ${source}. Our captions state a BPM in ${pct100(t.statedBpm)}% and a key in ${pct100(t.statedKey)}% of the cases; the prompt parser reads those and the engine forces them, so these rows measure different things (see docs/EVAL.md).`);
    const refused = t.items.filter((item) => item.error);
    if (refused.length) add('', `${refused.length} captions got no piece: ${refused.slice(0, 5).map((item) => `example ${item.example} (${cell(item.error!.split('\n')[0])})`).join('; ')}.`);
  }

  const misses = report.runs.map((run) => ({ run, missed: missed(run) })).filter(({ run, missed }) => missed.length || run.outcome === 'failed');
  add('', '## Runs that missed something', '');
  if (misses.length === 0) add('None.');
  else {
    add('| line | prompt | seed | outcome | missed (measured) |', '|---:|---|---:|---|---|');
    for (const { run, missed: what } of misses) {
      const outcome = run.outcome === 'composed' ? 'composed' : `${run.outcome}: ${cell((run.message ?? '').split('\n')[0])}`;
      add(`| ${run.line} | ${quote(run.prompt)} | ${run.seed} | ${outcome} | ${what.join(', ') || '-'} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
