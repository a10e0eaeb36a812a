/**
 * Style words for a piece, from the instruments it uses, its source collection and its title (docs/MOODS.md, "Styles").
 * The collections label genres but rarely styles such as chiptune, orchestral or solo piano, so these come from what a
 * file contains. Shares are of pitched notes, so a busy drum part does not outweigh the instruments around it.
 */
import type { Analysis } from './analysis.ts';
import { DRUMS } from '../music/score.ts';

export interface StyleLabels {
  genre?: string;
  title?: string;
  /** Collection name: "vgmusic", "freemidi", ... */
  source?: string;
  styles?: readonly string[];
}

/** Square and saw leads: the NES/Game Boy pulse channels as General MIDI writes them. */
const CHIP_LEADS = [80, 81];
const CHOIR = [52, 53, 54];
/** Acoustic and electric pianos (harpsichord and clavinet are not "piano" to a listener). */
const PIANOS = [0, 1, 2, 3, 4, 5];
const DISTORTED_GUITARS = [29, 30];
const ROCK_GENRES = ['rock', 'metal', 'punk', 'grunge', 'indie'];
const SYNTH_FAMILIES = ['synth lead', 'synth pad', 'synth effects'];
const SYNTH_PROGRAMS = [38, 39, 50, 51, 62, 63];
/** Strings (solo and ensemble), brass, and woodwinds (reed and pipe families). */
const ORCHESTRAL_GROUPS: ReadonlyArray<readonly string[]> = [['strings', 'ensemble'], ['brass'], ['reed', 'pipe']];
const GAME_SOURCES = ['vgmusic', 'vgmidi', 'freedoom'];

/** Share of pitched notes that the chip leads play before "chiptune" is said (half that for game sources). */
const CHIP_LEAD_SHARE = 0.3;
const CHOIR_SHARE = 0.4;
const ORCHESTRAL_SHARE = 0.6;
const SYNTH_SHARE = 0.5;

/** Title words that name a game scene; each is also a style word ("a boss battle theme"). */
const SCENE_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/\bboss\b/, 'boss battle'],
  [/\bbattle\b/, 'battle'],
  [/\b(town|village)\b/, 'town'],
  [/\bcastle\b/, 'castle'],
  [/\b(overworld|world map|field)\b/, 'overworld'],
  [/\b(dungeon|cave|caves|cavern)\b/, 'dungeon'],
];
/** Title words that say "game" whatever the source (a freemidi pop title rarely says "overworld"). */
const GAME_TITLE = /\b(boss|overworld|dungeon|title screen|game over|stage \d|level \d|world \d)\b/;

function pitchedNotes(analysis: Analysis, keep: (id: number, family: string) => boolean): number {
  return analysis.instruments
    .filter((instrument) => instrument.id !== DRUMS && keep(instrument.id, instrument.family))
    .reduce((sum, instrument) => sum + instrument.notes, 0);
}

/** Share of the pitched notes played by the instruments that `keep` selects; 0 when nothing is pitched. */
function share(analysis: Analysis, keep: (id: number, family: string) => boolean): number {
  const all = pitchedNotes(analysis, () => true);
  return all > 0 ? pitchedNotes(analysis, keep) / all : 0;
}

/** Scene words of a title, for game sources (a pop song called "Battle" is not a battle theme). */
export function sceneWords(title: string): string[] {
  const text = title.toLowerCase().replace(/[_-]+/g, ' ');
  return SCENE_WORDS.filter(([pattern]) => pattern.test(text)).map(([, word]) => word);
}

/**
 * Style words in rule order, without repeats:
 * chiptune, orchestral, choral, solo piano, rock band / band, electronic, video game, then title scene words.
 */
export function inferStyles(analysis: Analysis, labels: StyleLabels = {}): string[] {
  const styles: string[] = [];
  const ids = new Set(analysis.instruments.map((instrument) => instrument.id));
  const pitched = analysis.instruments.filter((instrument) => instrument.id !== DRUMS);
  const title = (labels.title ?? '').toLowerCase().replace(/[_-]+/g, ' ');
  const gameSource = GAME_SOURCES.includes(labels.source ?? '');

  const chipShare = share(analysis, (id) => CHIP_LEADS.includes(id));
  if (chipShare >= (gameSource ? CHIP_LEAD_SHARE / 2 : CHIP_LEAD_SHARE)) styles.push('chiptune');
  const orchestral = ORCHESTRAL_GROUPS.every((group) => analysis.families.some((family) => group.includes(family)));
  if (orchestral && share(analysis, (_, family) => ORCHESTRAL_GROUPS.flat().includes(family)) >= ORCHESTRAL_SHARE) styles.push('orchestral');
  if (share(analysis, (id) => CHOIR.includes(id)) >= CHOIR_SHARE) styles.push('choral');
  if (pitched.length > 0 && pitched.every((instrument) => PIANOS.includes(instrument.id)) && !analysis.hasDrums) styles.push('solo piano');
  if (analysis.families.includes('guitar') && analysis.families.includes('bass') && analysis.hasDrums) {
    const rock = ROCK_GENRES.includes(labels.genre ?? '') || [...ids].some((id) => DISTORTED_GUITARS.includes(id));
    styles.push(rock ? 'rock band' : 'band');
  }
  if (share(analysis, (id, family) => SYNTH_FAMILIES.includes(family) || SYNTH_PROGRAMS.includes(id)) >= SYNTH_SHARE) styles.push('electronic');
  if (gameSource || GAME_TITLE.test(title)) {
    styles.push('video game');
    styles.push(...sceneWords(title));
  }
  return [...new Set(styles)];
}
