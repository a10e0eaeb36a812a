/**
 * How well continuation and restyling hold what they promise, on real files: each file's opening bars are continued
 * (are the sent bars given back token for token, do the new bars keep the meter and tempo, is their key by the notes
 * the file's?) and restyled with one prompt (how many of the kept part's notes come back at their pitch and onset,
 * do the instruments and tempo follow the prompt?).
 */
import { keyFromHistogram, pitchClassHistogram } from '../analysis/key-detection.ts';
import { chooseKeptTrack, parentFromScore, type MotifEngine } from '../inference/index.ts';
import { barsOf, instrumentOf, scoreEndTick, tempoAt, type Score } from '../music/score.ts';
import { encodeScore, headerLength } from '../tokens/tokenizer.ts';

export const RESTYLE_PROMPT = 'bossa nova with piano and bass';
/** What RESTYLE_PROMPT asks for: acoustic grand piano and finger bass, and the genre's 110-140 BPM. */
const PROMPT_INSTRUMENTS = [0, 33];
const PROMPT_TEMPO: [number, number] = [110, 140];

export interface FollowUpResult {
  file: string;
  continued?: { prefixExact: boolean; meterKept: boolean; tempoKept: boolean; keyMatches: boolean };
  restyled?: { keptNotes: number; foundNotes: number; instrumentsFollow: boolean; tempoFollows: boolean };
  /** Why a follow-up could not be made (a sentence from the engine). */
  problem?: string;
}

/** The first `bars` bars of a score in its own meters; later notes left out, notes cut at the end. */
export function openingBars(score: Score, bars: number): Score {
  const all = barsOf(score, scoreEndTick(score), bars);
  const end = all[Math.min(bars, all.length) - 1].start + all[Math.min(bars, all.length) - 1].ticks;
  return {
    ...score,
    tempos: score.tempos.filter((tempo) => tempo.tick < end),
    timeSignatures: score.timeSignatures.filter((meter) => meter.tick < end),
    tracks: score.tracks.map((track) => ({
      ...track,
      notes: track.notes.filter((note) => note.onset < end).map((note) => ({ ...note, duration: Math.min(note.duration, end - note.onset) })),
    })).filter((track) => track.notes.length > 0),
  };
}

function body(score: Score, bars: number): number[] {
  const ids = encodeScore(score, { bars, key: null });
  return ids.slice(headerLength(ids));
}

function onsetsOf(score: Score, instrument: number): Set<string> {
  return new Set(score.tracks.filter((track) => instrumentOf(track) === instrument).flatMap((track) => track.notes.map((note) => `${note.onset}:${note.pitch}`)));
}

export async function evaluateFollowUp(engine: MotifEngine, file: string, whole: Score, bars: number, newBars: number, seed: number): Promise<FollowUpResult> {
  const sent = openingBars(whole, bars);
  const result: FollowUpResult = { file };
  try {
    const parent = parentFromScore(sent);
    const sentBars = barsOf(sent, scoreEndTick(sent)).length;
    const continued = await engine.continuePiece(parent, newBars, { seed });
    const start = barsOf(continued.score, 0, sentBars + 1)[sentBars].start;
    const endMeter = sent.timeSignatures.at(-1);
    const newPart: Score = { ...continued.score, tracks: continued.score.tracks.map((track) => ({ ...track, notes: track.notes.filter((note) => note.onset >= start) })) };
    const newKey = keyFromHistogram(pitchClassHistogram(newPart)).key;
    result.continued = {
      prefixExact: body(continued.score, sentBars).join(' ') === body(sent, sentBars).join(' '),
      meterKept: continued.score.timeSignatures.filter((meter) => meter.tick >= start)
        .every((meter) => !endMeter || (meter.numerator === endMeter.numerator && meter.denominator === endMeter.denominator)),
      tempoKept: Math.round(tempoAt(continued.score, start)) === Math.round(tempoAt(sent, Math.max(0, start - 1))),
      keyMatches: parent.header.key !== null && newKey !== null && newKey.tonic === parent.header.key.tonic && newKey.mode === parent.header.key.mode,
    };
    const keptIndex = chooseKeptTrack(sent);
    const restyled = await engine.restyle(sent, RESTYLE_PROMPT, { seed });
    const expected = onsetsOf({ ...sent, tracks: [sent.tracks[keptIndex]] }, restyled.kept.instrument);
    const found = onsetsOf(restyled.score, restyled.kept.instrument);
    const instruments = new Set(restyled.header.instruments);
    result.restyled = {
      keptNotes: expected.size,
      foundNotes: [...expected].filter((note) => found.has(note)).length,
      instrumentsFollow: PROMPT_INSTRUMENTS.every((id) => instruments.has(id)),
      tempoFollows: restyled.header.bpm >= PROMPT_TEMPO[0] && restyled.header.bpm <= PROMPT_TEMPO[1],
    };
  } catch (error) {
    result.problem = (error as Error).message;
  }
  return result;
}

/** The results as a Markdown table and a summary line. */
export function followUpMarkdown(results: readonly FollowUpResult[]): string {
  const yes = (flag: boolean | undefined) => (flag === undefined ? '-' : flag ? 'yes' : 'no');
  const rows = results.map((r) => `| ${r.file} | ${yes(r.continued?.prefixExact)} | ${yes(r.continued?.meterKept)} | ${yes(r.continued?.tempoKept)} | ${yes(r.continued?.keyMatches)} | ${r.restyled ? `${r.restyled.foundNotes}/${r.restyled.keptNotes}` : '-'} | ${yes(r.restyled?.instrumentsFollow)} | ${yes(r.restyled?.tempoFollows)} | ${r.problem ?? ''} |`);
  const share = (pick: (r: FollowUpResult) => boolean | undefined) => {
    const known = results.filter((r) => pick(r) !== undefined);
    return known.length ? `${Math.round((100 * known.filter((r) => pick(r)).length) / known.length)}%` : '-';
  };
  const kept = results.reduce((sum, r) => sum + (r.restyled?.keptNotes ?? 0), 0);
  const found = results.reduce((sum, r) => sum + (r.restyled?.foundNotes ?? 0), 0);
  return [
    '| file | sent bars exact | meter kept | tempo kept | key by the notes | kept notes back | instruments follow | tempo follows | problem |',
    '|---|---|---|---|---|---:|---|---|---|',
    ...rows,
    `| **all** | ${share((r) => r.continued?.prefixExact)} | ${share((r) => r.continued?.meterKept)} | ${share((r) => r.continued?.tempoKept)} | ${share((r) => r.continued?.keyMatches)} | ${kept ? `${((100 * found) / kept).toFixed(1)}%` : '-'} | ${share((r) => r.restyled?.instrumentsFollow)} | ${share((r) => r.restyled?.tempoFollows)} | |`,
  ].join('\n');
}
