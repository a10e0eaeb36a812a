/**
 * MusicXML (partwise, plain .xml/.musicxml or compressed .mxl) into the score model, quantized onto the same grid as
 * readMidi, with the key signature of the header.
 *
 * Read: pitches (step, alter, octave), durations in divisions, rests, chords, backup/forward (several voices), ties,
 * <sound tempo>, time and key signatures. Left out: grace and cue notes, unpitched percussion, dynamics (every note
 * gets one velocity), repeats (the score is read as written, once).
 *
 * Bars: a short first measure (a pickup) is padded in front so that it ends on the first bar line, as MIDI files do;
 * any other measure whose length differs from its meter (split bars around repeats, fermata bars) gets a meter
 * of its own length, so that bar lines stay where the notation has them.
 */
import { unzipSync } from 'fflate';
import { XMLParser } from 'fast-xml-parser';
import { clampBpm, normalizeTimeSignature, snapDuration, snapOffset, timeSignatureIndex } from './grid.ts';
import { instrumentName } from './instruments.ts';
import { letterPitchClass, modeOf, type Key } from './keys.ts';
import { dedupeNotes } from './midi.ts';
import {
  DEFAULT_BPM, TICKS_PER_QUARTER, barTicks,
  type Note, type Score, type TempoChange, type TimeSignature, type Track,
} from './score.ts';

/** GM "choir aahs", for vocal parts. */
export const CHOIR_PROGRAM = 52;
const DEFAULT_VELOCITY = 80;

export class MusicXmlReadError extends Error {
  constructor(detail: string) {
    super(`cannot read MusicXML: ${detail}`);
    this.name = 'MusicXmlReadError';
  }
}

export interface MusicXmlPiece {
  score: Score;
  /** The key signature of the first part that has one, with its mode; null when the file has none. */
  key: Key | null;
  /** work-title or movement-title, '' when absent. */
  title: string;
}

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

const ATTRIBUTE_PREFIX = '@_';

/** fast-xml-parser's order-preserving output into a small element tree. */
function toElements(nodes: Array<Record<string, unknown>>): Element[] {
  const elements: Element[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@' && key !== '#text');
    if (name === undefined) continue;
    const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawAttributes)) attributes[key.slice(ATTRIBUTE_PREFIX.length)] = String(value);
    const content = (node[name] ?? []) as Array<Record<string, unknown>>;
    const text = content.map((child) => (typeof child['#text'] === 'undefined' ? '' : String(child['#text']))).join('');
    elements.push({ name, attributes, children: toElements(content), text });
  }
  return elements;
}

const child = (element: Element, name: string) => element.children.find((c) => c.name === name);
const childrenNamed = (element: Element, name: string) => element.children.filter((c) => c.name === name);
const has = (element: Element, name: string) => element.children.some((c) => c.name === name);
const numberIn = (element: Element | undefined, name: string): number | undefined => {
  const found = element && child(element, name);
  const value = found ? Number.parseFloat(found.text) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
};

function descendants(element: Element, name: string): Element[] {
  const found: Element[] = [];
  for (const c of element.children) {
    if (c.name === name) found.push(c);
    found.push(...descendants(c, name));
  }
  return found;
}

/** The MusicXML document inside an .mxl archive (the rootfile named by META-INF/container.xml). */
export function unzipMxl(bytes: Uint8Array): string {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new MusicXmlReadError(`not a zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const container = files['META-INF/container.xml'];
  const rootPath = container && /full-path="([^"]+)"/.exec(decodeXmlBytes(container))?.[1];
  const path = rootPath && files[rootPath] ? rootPath
    : Object.keys(files).find((name) => !name.startsWith('META-INF/') && /\.(xml|musicxml)$/i.test(name));
  if (!path) throw new MusicXmlReadError('the .mxl archive holds no MusicXML document');
  return decodeXmlBytes(files[path]);
}

/** Text of an XML file: UTF-16 when it starts with a byte-order mark, else UTF-8 (bad bytes replaced, not fatal). */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Reads the bytes of an .mxl archive, or of a plain MusicXML file (anything that is not a zip archive). */
export function readMxl(bytes: Uint8Array): MusicXmlPiece {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  return readMusicXml(isZip ? unzipMxl(bytes) : decodeXmlBytes(bytes));
}

/** The key of a <key> element: fifths on the circle of fifths from C, and a mode (major when absent). */
export function keyFromFifths(fifths: number, mode = 'major'): Key | undefined {
  const folded = modeOf(mode);
  if (!Number.isInteger(fifths) || folded === undefined) return undefined;
  const majorTonic = (((fifths * 7) % 12) + 12) % 12;
  // Church modes keep their own tonic: the degree of the major scale of the signature that the mode starts on.
  const degree: Record<string, number> = { dor: 2, phr: 4, lyd: 5, mix: 7, aeo: 9, min: 9, loc: 11 };
  const word = mode.trim().toLowerCase();
  const offset = word === 'm' ? 9 : degree[word.slice(0, 3)] ?? 0;
  return { tonic: (majorTonic + offset) % 12, mode: folded };
}

interface PartNote {
  /** Quarter notes from the start of the measure. */
  offset: number;
  length: number;
  pitch: number;
  tieStart: boolean;
  tieStop: boolean;
}

interface PartMeasure {
  /** Quarter notes the measure's content reaches (0 when it has none). */
  length: number;
  notes: PartNote[];
  tempos: Array<{ offset: number; bpm: number }>;
  time?: [number, number];
}

interface ParsedPart {
  id: string;
  measures: PartMeasure[];
  /** The first <key> of the part, with the mode as written (undefined when the part has no <mode>). */
  firstKey?: { fifths: number; mode?: string };
}

function readPart(part: Element): ParsedPart {
  const parsed: ParsedPart = { id: part.attributes.id ?? '', measures: [] };
  let divisions = 1;
  for (const measureElement of childrenNamed(part, 'measure')) {
    const measure: PartMeasure = { length: 0, notes: [], tempos: [] };
    let cursor = 0;
    let lastOnset = 0;
    for (const element of measureElement.children) {
      if (element.name === 'attributes') {
        divisions = numberIn(element, 'divisions') ?? divisions;
        const key = child(element, 'key');
        const fifths = numberIn(key, 'fifths');
        if (!parsed.firstKey && fifths !== undefined) {
          const mode = key && child(key, 'mode')?.text.trim();
          parsed.firstKey = { fifths, mode: mode || undefined };
        }
        const time = child(element, 'time');
        const beats = time && child(time, 'beats')?.text;
        const beatType = numberIn(time, 'beat-type');
        if (beats && beatType && !measure.time) {
          // Compound numerators like "3+2" add up.
          const numerator = beats.split('+').reduce((sum, part) => sum + Number.parseInt(part, 10), 0);
          if (numerator > 0) measure.time = [numerator, beatType];
        }
      } else if (element.name === 'note') {
        if (has(element, 'grace')) continue;
        const length = (numberIn(element, 'duration') ?? 0) / divisions;
        const onset = has(element, 'chord') ? lastOnset : cursor;
        if (!has(element, 'chord')) {
          lastOnset = cursor;
          cursor += length;
        }
        measure.length = Math.max(measure.length, cursor, onset + length);
        const pitch = child(element, 'pitch');
        if (!pitch || has(element, 'cue') || length <= 0) continue;
        const step = letterPitchClass(child(pitch, 'step')?.text.trim() ?? '');
        const octave = numberIn(pitch, 'octave');
        if (step === undefined || octave === undefined) continue;
        const midi = (octave + 1) * 12 + step + Math.round(numberIn(pitch, 'alter') ?? 0);
        if (midi < 0 || midi > 127) continue;
        const ties = childrenNamed(element, 'tie').map((tie) => tie.attributes.type);
        measure.notes.push({
          offset: onset, length, pitch: midi, tieStart: ties.includes('start'), tieStop: ties.includes('stop'),
        });
      } else if (element.name === 'backup' || element.name === 'forward') {
        const shift = (numberIn(element, 'duration') ?? 0) / divisions;
        cursor = Math.max(0, cursor + (element.name === 'backup' ? -shift : shift));
        measure.length = Math.max(measure.length, cursor);
      }
      const sounds = element.name === 'sound' ? [element] : descendants(element, 'sound');
      for (const sound of sounds) {
        const bpm = Number.parseFloat(sound.attributes.tempo ?? '');
        if (bpm > 0) measure.tempos.push({ offset: cursor, bpm });
      }
    }
    parsed.measures.push(measure);
  }
  return parsed;
}

const VOCAL_PART_NAME = /^(soprano|alto|tenor|bass|[satb]\.?)(\s*\d+)?$|choir|chorus|voice|vocal/i;

/** GM program of a part. The corpus' <midi-program> says 1 (piano) for every part, so the name decides. */
function programOf(partName: string): number {
  return VOCAL_PART_NAME.test(partName.trim()) ? CHOIR_PROGRAM : 0;
}

/** A representable meter exactly `ticks` long, preferring the nominal denominator; undefined when there is none. */
function meterOfLength(ticks: number, denominator: number): [number, number] | undefined {
  for (const d of [denominator, 4, 8, 2]) {
    const numerator = (ticks * d) / (4 * TICKS_PER_QUARTER);
    if (Number.isInteger(numerator) && timeSignatureIndex(numerator, d) >= 0) return [numerator, d];
  }
  return undefined;
}

interface MeasureLayout {
  start: number;
  meter: [number, number];
}

/** Where each measure starts on the tick grid and which meter it gets (see the file comment). */
function layOutMeasures(parts: ParsedPart[]): MeasureLayout[] {
  const count = Math.max(0, ...parts.map((part) => part.measures.length));
  const layout: MeasureLayout[] = [];
  let nominal: [number, number] = [4, 4];
  let tick = 0;
  for (let index = 0; index < count; index++) {
    const declared = parts.map((part) => part.measures[index]?.time).find((time) => time !== undefined);
    if (declared) nominal = normalizeTimeSignature(declared[0], declared[1]);
    const nominalTicks = barTicks(nominal[0], nominal[1]);
    const content = Math.max(0, ...parts.map((part) => part.measures[index]?.length ?? 0));
    const ticks = Math.round(content * TICKS_PER_QUARTER) || nominalTicks;
    if (index === 0 && ticks < nominalTicks) {
      layout.push({ start: nominalTicks - ticks, meter: nominal });
      tick = nominalTicks;
      continue;
    }
    const own = ticks === nominalTicks ? nominal : meterOfLength(ticks, nominal[1]);
    const meter = own ?? nominal;
    layout.push({ start: tick, meter });
    tick += own ? ticks : Math.ceil(ticks / nominalTicks) * nominalTicks;
  }
  return layout;
}

function timeSignaturesOf(layout: MeasureLayout[]): TimeSignature[] {
  const signatures: TimeSignature[] = [];
  layout.forEach(({ start, meter }, index) => {
    const tick = index === 0 ? 0 : start;
    const last = signatures[signatures.length - 1];
    if (last && last.numerator === meter[0] && last.denominator === meter[1]) return;
    signatures.push({ tick, numerator: meter[0], denominator: meter[1] });
  });
  return signatures.length ? signatures : [{ tick: 0, numerator: 4, denominator: 4 }];
}

/** Snaps an exact tick inside a measure onto that bar's grid. */
function snapInMeasure(layout: MeasureLayout, offsetTicks: number): number {
  return layout.start + snapOffset(Math.max(0, offsetTicks));
}

/** The notes of a part on the grid, with tied notes joined into one. */
function notesOf(part: ParsedPart, layout: MeasureLayout[]): Note[] {
  const exact: Array<{ measure: number; start: number; end: number; pitch: number }> = [];
  const openTies = new Map<number, (typeof exact)[number]>();
  part.measures.forEach((measure, index) => {
    for (const note of measure.notes) {
      const start = layout[index].start + note.offset * TICKS_PER_QUARTER;
      const end = start + note.length * TICKS_PER_QUARTER;
      const open = openTies.get(note.pitch);
      if (note.tieStop && open && Math.abs(open.end - start) < 1e-6) {
        open.end = end;
        if (!note.tieStart) openTies.delete(note.pitch);
        continue;
      }
      const entry = { measure: index, start, end, pitch: note.pitch };
      exact.push(entry);
      if (note.tieStart) openTies.set(note.pitch, entry);
    }
  });
  return exact.map(({ measure, start, end, pitch }) => ({
    onset: snapInMeasure(layout[measure], start - layout[measure].start),
    duration: snapDuration(end - start),
    pitch,
    velocity: DEFAULT_VELOCITY,
  }));
}

function temposOf(parts: ParsedPart[], layout: MeasureLayout[]): TempoChange[] {
  const raw: TempoChange[] = [];
  for (const part of parts) {
    part.measures.forEach((measure, index) => {
      for (const { offset, bpm } of measure.tempos) {
        raw.push({ tick: snapInMeasure(layout[index], offset * TICKS_PER_QUARTER), bpm: clampBpm(bpm) });
      }
    });
  }
  raw.sort((a, b) => a.tick - b.tick);
  const tempos: TempoChange[] = [];
  for (const tempo of raw) {
    // The tempo marked at the start of the piece (or on a pickup) holds from tick 0.
    const tick = tempos.length === 0 ? 0 : tempo.tick;
    const last = tempos[tempos.length - 1];
    if (last && last.tick === tick) tempos.pop();
    if (tempos.length && tempos[tempos.length - 1].bpm === tempo.bpm) continue;
    tempos.push({ tick, bpm: tempo.bpm });
  }
  return tempos.length ? tempos : [{ tick: 0, bpm: DEFAULT_BPM }];
}

function headerKey(parts: ParsedPart[]): Key | null {
  const first = parts.find((part) => part.firstKey)?.firstKey;
  if (!first) return null;
  // Some editors write the mode only on the top part and a default "major" or nothing on the others.
  const mode = first.mode ?? parts.find((part) => part.firstKey?.mode)?.firstKey?.mode ?? 'major';
  return keyFromFifths(first.fifths, mode) ?? null;
}

/** Reads a partwise MusicXML document. Parts with the same instrument share one track, as readMidi does. */
export function readMusicXml(xml: string): MusicXmlPiece {
  const parser = new XMLParser({
    preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: ATTRIBUTE_PREFIX, parseTagValue: false,
    parseAttributeValue: false, trimValues: true,
  });
  let document: Element[];
  try {
    document = toElements(parser.parse(xml) as Array<Record<string, unknown>>);
  } catch (error) {
    throw new MusicXmlReadError(error instanceof Error ? error.message : String(error));
  }
  const root = document.find((element) => element.name.startsWith('score-'));
  if (!root) throw new MusicXmlReadError('no score-partwise element');
  if (root.name !== 'score-partwise') throw new MusicXmlReadError(`${root.name} is not supported`);

  const partNames = new Map<string, string>();
  const partList = child(root, 'part-list');
  for (const scorePart of partList ? childrenNamed(partList, 'score-part') : []) {
    partNames.set(scorePart.attributes.id ?? '', child(scorePart, 'part-name')?.text.trim() ?? '');
  }
  const parts = childrenNamed(root, 'part').map(readPart);
  const layout = layOutMeasures(parts);

  const byProgram = new Map<number, { names: string[]; notes: Note[] }>();
  for (const part of parts) {
    const notes = notesOf(part, layout);
    if (notes.length === 0) continue;
    const name = partNames.get(part.id) ?? '';
    const program = programOf(name);
    const entry = byProgram.get(program) ?? { names: [], notes: [] };
    entry.names.push(name);
    entry.notes.push(...notes);
    byProgram.set(program, entry);
  }
  const tracks: Track[] = [...byProgram.entries()]
    .sort(([a], [b]) => a - b)
    .map(([program, { names, notes }]) => ({
      program,
      isDrum: false,
      name: names.length === 1 && names[0] ? names[0] : instrumentName(program),
      notes: dedupeNotes(notes),
    }));

  const work = child(root, 'work');
  const title = (work && child(work, 'work-title')?.text.trim()) || child(root, 'movement-title')?.text.trim() || '';
  return {
    score: { tempos: temposOf(parts, layout), timeSignatures: timeSignaturesOf(layout), tracks },
    key: headerKey(parts),
    title,
  };
}
