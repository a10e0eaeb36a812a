/**
 * Drum-machine grooves from the tidal drum patterns: each pattern repeated to 4-8 bars on a General MIDI kit, at
 * the tempo the file gives (the famous breaks) or one typical of the style its name carries (house 120-128, drum
 * and bass 160-178, trap 130-150 with its half-time snare ...). Styles come from the name only; patterns named
 * for nothing ("Pattern17", "HybridKick2a") keep no style.
 */
import { clampVelocity } from '../arranging/arrangement.ts';
import { createRandom, seedFromString } from '../../music/random.ts';
import { barTicks, type Score } from '../../music/score.ts';
import type { SourceExample } from '../example.ts';
import { patternNotes, readTidalPatterns, type TidalPattern } from './tidal-patterns.ts';

export interface DrumStyle {
  styles: string[];
  genre?: string;
  tempo: [number, number];
}

/** Name patterns, first match wins: style words, genre, and the usual tempo range. */
const NAME_STYLES: ReadonlyArray<readonly [RegExp, DrumStyle]> = [
  [/house|^haus/i, { styles: ['house'], genre: 'electronic', tempo: [120, 128] }],
  [/techno|fourontheflo/i, { styles: ['techno'], genre: 'electronic', tempo: [125, 135] }],
  [/dnb|jungle/i, { styles: ['drum and bass'], genre: 'electronic', tempo: [160, 178] }],
  [/dubstep/i, { styles: ['dubstep'], genre: 'electronic', tempo: [138, 142] }],
  [/ukgarage/i, { styles: ['uk garage'], genre: 'electronic', tempo: [128, 136] }],
  [/footwork|juke/i, { styles: ['footwork'], genre: 'electronic', tempo: [155, 162] }],
  [/synthwave/i, { styles: ['synthwave'], genre: 'electronic', tempo: [85, 110] }],
  [/electro|miamibass|planetrock|rocktheplanet|lookingfortheperfectbeat/i, { styles: ['electro'], genre: 'electronic', tempo: [118, 132] }],
  [/trap/i, { styles: ['trap'], genre: 'hip hop', tempo: [130, 150] }],
  [/hiphop/i, { styles: ['hip hop'], genre: 'hip hop', tempo: [85, 95] }],
  [/italodisco|disco/i, { styles: ['disco'], genre: 'disco', tempo: [110, 125] }],
  [/reggaeton/i, { styles: ['reggaeton'], genre: 'latin', tempo: [88, 100] }],
  [/reggae|onedrop|twodrop|halfdrop|steppers/i, { styles: ['reggae'], genre: 'reggae', tempo: [70, 90] }],
  [/ska|rocksteady/i, { styles: ['ska'], genre: 'reggae', tempo: [110, 150] }],
  [/bossa/i, { styles: ['bossa nova'], genre: 'latin', tempo: [120, 140] }],
  [/samba/i, { styles: ['samba'], genre: 'latin', tempo: [95, 110] }],
  [/chachacha/i, { styles: ['cha-cha-cha'], genre: 'latin', tempo: [110, 125] }],
  [/rumba|genericson/i, { styles: ['afro-cuban'], genre: 'latin', tempo: [95, 120] }],
  [/afro|gahu|shiko|soukous|expensiveshit/i, { styles: ['afro'], tempo: [100, 125] }],
  [/amen|breakbeat|^break\d|rollinbreak|bigbeat/i, { styles: ['breakbeat'], tempo: [125, 140] }],
  [/funk|coldsweat|cissystrut|igotthefeelin|igotyou|motherpopcorn|getup|palmgrease|superstition|impeachthepresident|ladymarmalade|hookandsling|papawastoo|letawomanbe|respectyourself|kissingmylove|takemetomardigras|hotsweat|grooveme|usemealt|useme|itsanewday/i, { styles: ['funk'], genre: 'funk', tempo: [95, 115] }],
  [/rnb/i, { styles: ['r&b'], genre: 'r&b', tempo: [80, 100] }],
  [/shuffle/i, { styles: ['shuffle'], tempo: [90, 120] }],
  [/blues/i, { styles: ['blues'], genre: 'blues', tempo: [70, 100] }],
  [/swing/i, { styles: ['swing'], genre: 'jazz', tempo: [120, 170] }],
  [/ballad/i, { styles: ['ballad'], tempo: [65, 80] }],
  [/twist/i, { styles: ['rock and roll'], genre: 'rock', tempo: [140, 160] }],
  [/newwave|bluemonday/i, { styles: ['new wave'], genre: 'pop', tempo: [115, 135] }],
  [/billyjean|^pop/i, { styles: ['pop'], genre: 'pop', tempo: [100, 125] }],
  [/rock|walkthisway|whenthelevee|wewillrockyou/i, { styles: ['rock'], genre: 'rock', tempo: [100, 130] }],
];

const UNNAMED: DrumStyle = { styles: [], tempo: [90, 130] };

export function drumStyleOf(name: string): DrumStyle {
  return NAME_STYLES.find(([pattern]) => pattern.test(name))?.[1] ?? UNNAMED;
}

/** The file's tempo when it has one (doubled or halved into a playable range), else a tempo typical of the style. */
export function patternTempo(pattern: TidalPattern, style: DrumStyle, pick: (low: number, high: number) => number): number {
  if (pattern.bpm !== undefined) {
    let bpm = pattern.bpm;
    while (bpm < 60) bpm *= 2;
    while (bpm > 200) bpm /= 2;
    return Math.round(bpm);
  }
  return pick(style.tempo[0], style.tempo[1]);
}

/** The pattern repeated to `bars` bars of 4/4 at `bpm`. */
export function drumScore(pattern: TidalPattern, repeats: number, bpm: number, jitter: () => number): Score {
  const passTicks = pattern.bars * barTicks(4, 4);
  const notes = Array.from({ length: repeats }, (_, i) => patternNotes(pattern, i * passTicks, jitter)).flat();
  return {
    tempos: [{ tick: 0, bpm }],
    timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
    tracks: [{ program: 0, isDrum: true, name: 'drums', notes: notes.map((note) => ({ ...note, velocity: clampVelocity(note.velocity) })) }],
  };
}

/** Variants of one groove ("Funk3a", "Funk3b") share a song id so that they land in the same split. */
export function patternFamily(name: string): string {
  return name.replace(/[a-d]$/, '');
}

export async function* tidalDrums(dataDir: string, options: { limit?: number; seed: number }): AsyncGenerator<SourceExample> {
  const { patterns, origin } = await readTidalPatterns(dataDir);
  let count = 0;
  for (const pattern of patterns) {
    const random = createRandom(seedFromString(`${options.seed}:tidal-drums:${pattern.name}`));
    const style = drumStyleOf(pattern.name);
    const bpm = patternTempo(pattern, style, (low, high) => low + random.int(high - low + 1));
    // 4-8 bars, in whole passes of the pattern.
    const minPasses = Math.ceil(4 / pattern.bars);
    const maxPasses = Math.max(minPasses, Math.floor(8 / pattern.bars));
    const repeats = minPasses + random.int(maxPasses - minPasses + 1);
    yield {
      source: 'tidal-drums',
      songId: `tidal-drums/${patternFamily(pattern.name)}`,
      origin,
      score: drumScore(pattern, repeats, bpm, () => random.int(9) - 4),
      labels: { genre: style.genre, styles: style.styles, moods: [] },
      assembled: false,
    };
    if (++count === options.limit) return;
  }
}
