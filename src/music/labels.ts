/**
 * Readers for the key and chord labels that come with the shared data: POP909's key_audio.txt / chord_midi.txt
 * (Harte-style "Gb:maj", "F#:maj7/5") and ABC headers (K:G, K:Em, K:Ador) of the Nottingham and music21 folk tunes.
 *
 * Church modes are folded into the two modes the key model has, keeping the tonic and choosing by the third:
 * dorian, phrygian, aeolian and locrian become minor; ionian, lydian and mixolydian become major. (A dorian is
 * heard with A as its tonic and a minor third, so "A minor" describes it better than its relative "G major".)
 */
import type { Key, Mode } from './keys.ts';

const STEP_PITCH_CLASS: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** Pitch class of a note name like "C", "F#", "Bb", "c", "Ebb"; undefined when it is not one. */
export function parsePitchName(name: string): number | undefined {
  const match = /^([A-Ga-g])([#b]*)$/.exec(name.trim());
  if (!match) return undefined;
  let pc = STEP_PITCH_CLASS[match[1].toUpperCase()];
  for (const accidental of match[2]) pc += accidental === '#' ? 1 : -1;
  return ((pc % 12) + 12) % 12;
}

/** The key-model mode of a mode name (major, minor, m, dorian, mix, ...), or undefined when unknown. */
export function modeOf(name: string): Mode | undefined {
  const word = name.trim().toLowerCase();
  if (word === '' || word === 'maj') return 'major';
  if (word === 'm') return 'minor';
  const prefix = word.slice(0, 3);
  if (['maj', 'ion', 'lyd', 'mix'].includes(prefix)) return 'major';
  if (['min', 'aeo', 'dor', 'phr', 'loc'].includes(prefix)) return 'minor';
  return undefined;
}

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
  const tonic = parsePitchName(match[1].toUpperCase() + match[2]);
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
