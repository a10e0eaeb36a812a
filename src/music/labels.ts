/**
 * Readers for the key and chord labels that come with the shared data: POP909's key_audio.txt / chord_midi.txt
 * (Harte-style "Gb:maj", "F#:maj7/5") and ABC headers (K:G, K:Em, K:Ador) of the Nottingham and music21 folk tunes.
 * Church modes fold into major and minor as keys.ts modeOf says.
 */
import { letterPitchClass, modeOf, parsePitchName, type Key } from './keys.ts';

/** A Harte-style key label ("Gb:maj", "A:min") as a key. */
export function parseHarteKey(label: string): Key | undefined {
  const [tonicName, modeName = 'maj'] = label.trim().split(':');
  const tonic = parsePitchName(tonicName);
  const mode = modeOf(modeName);
  return tonic === undefined || mode === undefined ? undefined : { tonic, mode };
}

export interface TimedLabel {
  /** Seconds. */
  start: number;
  end: number;
  label: string;
}

/** Lines of "start end label" (tabs or spaces), as in POP909's key_audio.txt and chord_midi.txt. */
export function parseTimedLabels(text: string): TimedLabel[] {
  const labels: TimedLabel[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [start, end, label] = line.trim().split(/\s+/);
    if (label === undefined || !Number.isFinite(Number(start)) || !Number.isFinite(Number(end))) continue;
    labels.push({ start: Number(start), end: Number(end), label });
  }
  return labels;
}

/** The key that holds longest in total in a POP909 key_audio.txt, or undefined when none parses. */
export function pop909MainKey(text: string): Key | undefined {
  const totals = new Map<string, number>();
  for (const { start, end, label } of parseTimedLabels(text)) {
    if (parseHarteKey(label)) totals.set(label, (totals.get(label) ?? 0) + (end - start));
  }
  let best: string | undefined;
  for (const [label, total] of totals) if (best === undefined || total > totals.get(best)!) best = label;
  return best === undefined ? undefined : parseHarteKey(best);
}

/** Root pitch class of a Harte chord label ("F#:maj7/5" -> 6); null for "N" (no chord) or an unreadable label. */
export function harteChordRoot(label: string): number | null {
  return parsePitchName(label.split(':')[0]) ?? null;
}

/** The key of an ABC K: field value ("G", "Em", "Ador", "F# minor", "D mix"); undefined for "none", "HP" etc. */
export function parseAbcKey(value: string): Key | undefined {
  const match = /^\s*([A-Ga-g])([#b]?)\s*([A-Za-z]*)/.exec(value);
  if (!match) return undefined;
  const tonic = letterPitchClass(match[1], match[2]);
  const mode = modeOf(match[3]);
  return tonic === undefined || mode === undefined ? undefined : { tonic, mode };
}

export interface AbcTune {
  /** The X: reference number. */
  number: number;
  title: string;
  /** The key of the header (the K: field that closes it), undefined when absent or unreadable. */
  key?: Key;
  /** The M: field of the header, e.g. "6/8". */
  meter?: string;
  /** K: fields inside the tune body, i.e. key changes. */
  bodyKeys: Key[];
}

/** The tunes of an ABC file, in file order. */
export function parseAbcTunes(text: string): AbcTune[] {
  const tunes: AbcTune[] = [];
  let tune: AbcTune | undefined;
  let inHeader = false;
  for (const line of text.split(/\r?\n/)) {
    const field = /^([A-Za-z]):\s*(.*)$/.exec(line);
    if (field && field[1] === 'X') {
      tune = { number: Number.parseInt(field[2], 10), title: '', bodyKeys: [] };
      tunes.push(tune);
      inHeader = true;
      continue;
    }
    if (!tune) continue;
    if (field?.[1] === 'T' && !tune.title) tune.title = field[2].trim();
    if (field?.[1] === 'M' && inHeader) tune.meter = field[2].trim();
    if (field?.[1] === 'K') {
      const key = parseAbcKey(field[2]);
      if (inHeader) {
        tune.key = key;
        inHeader = false;
      } else if (key) {
        tune.bodyKeys.push(key);
      }
    }
    for (const inline of line.matchAll(/\[K:([^\]]*)\]/g)) {
      const key = parseAbcKey(inline[1]);
      if (key) tune.bodyKeys.push(key);
    }
  }
  return tunes;
}
