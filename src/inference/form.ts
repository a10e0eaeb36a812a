/**
 * Form: a piece planned as sections. Real music repeats itself and a model that writes a whole piece in one pass does
 * not, so the engine has the model write a short first section (the material `A`) and, for songs, a second one after
 * it (`B`); every other section repeats one of them, varied: an instrument resting, parts entering or dropping out, a
 * fill (the last bar rewritten by the model) or a varied half (the second half rewritten by the model). Loop-based
 * genres loop a few bars with an intro and an outro; songs go A A B A, then alternate.
 *
 * This file only plans: which section goes where and how each is made. form-composer.ts runs the model calls and
 * arrangement.ts puts the model's notes in place; the engine never writes a note itself.
 */
import { instrumentFamily } from '../music/instruments.ts';
import { DRUMS } from '../music/score.ts';
import type { PromptAttributes } from '../text/prompt.ts';

export type FormKind = 'loop' | 'song';

/**
 * How a section is made: `written`, the model wrote the first material from the header; `continued`, the model wrote
 * the second material after the first; `copy`, the material again as it was; `resting`, the material with some
 * instruments left out; `fill`, the material with its last bar rewritten by the model; `varied`, the material with
 * its second half rewritten by the model.
 */
export type SectionMaking = 'written' | 'continued' | 'copy' | 'resting' | 'fill' | 'varied';

/**
 * The model's own sections that the others repeat: `A` first, `B` (songs) written after it; an extension of the piece
 * (`extend`) is the next letter.
 */
export type Material = string;

export interface FormSection {
  /** What a listener would call it: intro, loop, breakdown, outro; A or B in a song. */
  name: string;
  /** 1-based. */
  firstBar: number;
  bars: number;
  made: SectionMaking;
  material: Material;
  /** For `fill` and `varied`: the opening bars copied from the material before the model's bars. */
  keptBars?: number;
  /** For `resting`: the instruments left out (GM programs, DRUMS for the kit). */
  resting?: number[];
}

export interface Form {
  kind: FormKind;
  /** Bars of the material the model wrote first. */
  sectionBars: number;
  sections: FormSection[];
}

/**
 * Genres whose music is built from a short loop with parts coming and going, rather than from verses and choruses.
 * The names are the prompt parser's genre keys (src/text/words.ts).
 */
const LOOP_GENRES = new Set([
  'lofi', 'hip hop', 'trip hop', 'house', 'techno', 'trance', 'edm', 'electronic', 'dubstep', 'trap', 'drill', 'phonk',
  'drum and bass', 'breakbeat', 'dub', 'ambient',
]);

/** Loop-based for those genres and for drums alone; a song otherwise. */
export function formKind(attributes: Pick<PromptAttributes, 'genres' | 'instruments' | 'drums'>): FormKind {
  if (attributes.genres?.some((genre) => LOOP_GENRES.has(genre))) return 'loop';
  if (attributes.instruments?.length === 0 && attributes.drums === true) return 'loop';
  return 'song';
}

/**
 * Bars of the first material for a piece of `totalBars`, or undefined when the piece is too short to repeat anything
 * (it is then written in one pass). A loop is 4 bars (2 in a short piece); a song's sections are 4 bars, 8 in a long
 * piece. Short sections are what the model writes densely, and they leave room for repeats.
 */
export function sectionLength(kind: FormKind, totalBars: number): number | undefined {
  if (kind === 'loop') return totalBars >= 8 ? 4 : totalBars >= 4 ? 2 : undefined;
  return totalBars >= 32 ? 8 : totalBars >= 8 ? 4 : undefined;
}

/** Why a copy leaves instruments out; each role has its own choice of who rests. */
type RestingRole = 'entering' | 'breakdown';

const isBass = (id: number) => id !== DRUMS && instrumentFamily(id) === 'bass';

/**
 * The instruments that rest in a copy, from those that play in the material (ascending, drums last); [] when no
 * choice leaves something playing. An intro or an outro (`entering`) keeps the parts above the rhythm section, so the
 * drums and bass enter after it or drop out in it; a breakdown rests the drums, or else the bass, or else the highest
 * part.
 */
export function restingInstruments(role: RestingRole, playing: readonly number[]): number[] {
  if (playing.length < 2) return [];
  const rhythm = playing.filter((id) => id === DRUMS || isBass(id));
  if (role === 'entering') {
    if (rhythm.length > 0 && rhythm.length < playing.length) return rhythm;
    return playing.slice(1);
  }
  if (playing.includes(DRUMS)) return [DRUMS];
  const basses = playing.filter(isBass);
  if (basses.length > 0 && basses.length < playing.length) return basses;
  return [playing[playing.length - 1]];
}

/** Bars the model keeps from the material before writing its own: all but the last for a fill, half for a varied copy. */
export function keptBarsFor(made: 'fill' | 'varied', bars: number): number {
  return made === 'fill' ? bars - 1 : Math.floor(bars / 2);
}

interface Slot {
  name: string;
  material: Material;
  /** What the section should be; `resting` roles are resolved against the instruments that play. */
  want: SectionMaking | RestingRole;
}

/** A song's material letters: A; A A; A B A; A A B A, then B and A alternating. */
function songLetters(count: number): Material[] {
  if (count === 1) return ['A'];
  if (count === 2) return ['A', 'A'];
  if (count === 3) return ['A', 'B', 'A'];
  const letters: Material[] = ['A', 'A', 'B', 'A'];
  while (letters.length < count) letters.push(letters.length % 2 === 0 ? 'B' : 'A');
  return letters;
}

function songSlots(count: number): Slot[] {
  const letters = songLetters(count);
  return letters.map((material, index) => {
    const first = letters.indexOf(material) === index;
    if (first) return { name: material, material, want: material === 'A' ? 'written' : 'continued' };
    // A repeated A before the end always leads into a B, so it ends in a fill. The model rewrites only the first
    // material (its calls all start from it), so a repeated B, and the piece's last section, rest a part instead.
    const last = index === letters.length - 1;
    return { name: material, material, want: material === 'A' && !last ? 'fill' : 'breakdown' };
  });
}

/** The loop's variations after the first pass, in turn. */
const LOOP_CYCLE: ReadonlyArray<SectionMaking | RestingRole> = ['varied', 'fill', 'breakdown', 'copy'];

function loopSlots(count: number): Slot[] {
  if (count === 1) return [{ name: 'loop', material: 'A', want: 'written' }];
  const outro = count >= 5;
  const body: Slot[] = [];
  for (let index = 0; index < count - 1 - (outro ? 1 : 0); index++) {
    const want = index === 0 ? 'written' : LOOP_CYCLE[(index - 1) % LOOP_CYCLE.length];
    body.push({ name: want === 'breakdown' ? 'breakdown' : 'loop', material: 'A', want });
  }
  const last = body[body.length - 1];
  // A fill leads into the outro, a new section.
  if (outro && (last.want === 'varied' || last.want === 'copy')) last.want = 'fill';
  return [
    { name: 'intro', material: 'A', want: 'entering' },
    ...body,
    ...(outro ? [{ name: 'outro', material: 'A' as Material, want: 'entering' as const }] : []),
  ];
}

/**
 * The sections of a piece of `totalBars` whose first material is `sectionBars` long and is played by `playing`
 * (instruments ascending, drums last). The sections add up to `totalBars` exactly: the last one is cut short when
 * the length is not a whole number of sections. Where a resting part is impossible (a single instrument) the copy
 * is varied by the model instead; where a rewrite has no bar to keep, it is a copy.
 */
export function planForm(kind: FormKind, totalBars: number, sectionBars: number, playing: readonly number[]): Form {
  if (!Number.isInteger(totalBars) || totalBars < 1) throw new RangeError(`a piece has at least one bar, not ${totalBars}`);
  if (!Number.isInteger(sectionBars) || sectionBars < 1) throw new RangeError(`a section has at least one bar, not ${sectionBars}`);
  const count = Math.ceil(totalBars / sectionBars);
  const slots = kind === 'loop' ? loopSlots(count) : songSlots(count);
  const sections: FormSection[] = [];
  let firstBar = 1;
  for (const slot of slots) {
    const bars = Math.min(sectionBars, totalBars - firstBar + 1);
    sections.push({ name: slot.name, firstBar, bars, material: slot.material, ...making(slot.want, slot.material, bars, playing) });
    firstBar += bars;
  }
  return { kind, sectionBars, sections };
}

function making(want: Slot['want'], material: Material, bars: number, playing: readonly number[]): Pick<FormSection, 'made' | 'keptBars' | 'resting'> {
  if (want === 'entering' || want === 'breakdown') {
    const resting = restingInstruments(want, playing);
    if (resting.length > 0) return { made: 'resting', resting };
    return making(material === 'A' ? 'varied' : 'copy', material, bars, playing);
  }
  if (want === 'fill' || want === 'varied') {
    const keptBars = keptBarsFor(want, bars);
    return keptBars >= 1 ? { made: want, keptBars } : { made: 'copy' };
  }
  return { made: want };
}

/** The form of a piece of `parentBars` extended to `totalBars`: its sections, then the new bars as a section of their own. */
export function extendedForm(form: Form, parentBars: number, totalBars: number): Form {
  if (totalBars <= parentBars) return form;
  const letters = new Set(form.sections.map((section) => section.material));
  let material = 'A';
  while (letters.has(material)) material = String.fromCharCode(material.charCodeAt(0) + 1);
  const extension: FormSection = { name: material, firstBar: parentBars + 1, bars: totalBars - parentBars, made: 'continued', material };
  return { ...form, sections: [...form.sections, extension] };
}

/** The piece's bars as the form lays them out (for checking a plan). */
export function formBars(form: Form): number {
  return form.sections.reduce((sum, section) => sum + section.bars, 0);
}

/** Where each section starts and what it is, in a few words: the piano roll's marks and the CLI's line. */
export function sectionMarks(form: Form): Array<{ firstBar: number; label: string }> {
  return form.sections.map((section) => ({ firstBar: section.firstBar, label: sectionLabel(section) }));
}

/** The form in one line: each section's label and bars ("intro 1-4, loop 5-8, loop · fill 9-12"). */
export function describeForm(form: Form): string {
  return form.sections.map((section) => `${sectionLabel(section)} ${section.firstBar}-${section.firstBar + section.bars - 1}`).join(', ');
}

function sectionLabel(section: FormSection): string {
  // An intro, outro or breakdown says by its name that parts rest.
  if (section.made === 'fill' || section.made === 'varied') return `${section.name} · ${section.made}`;
  if (section.made === 'resting' && section.name.length === 1) return `${section.name} · thinned`;
  return section.name;
}
