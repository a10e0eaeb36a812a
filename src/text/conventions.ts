/**
 * What a genre or a mood word implies when a prompt does not say it: a tempo range, whether the drum kit plays, the
 * meter, the feel, a mode, and for a few genres whose sound is their instruments, the band. The attribute stage
 * (attribute-stage.ts) applies them where a prompt leaves the attribute open; docs/PROMPTS.md ("What is inferred")
 * lists them beside the measurements they were read from.
 *
 * Sources, named in each entry:
 * - "measured": `npx motif label-stats` on the training data (data/built, train split; the table in docs/PROMPTS.md).
 *   Tempo is the interquartile range (p25-p75) of the examples' BPM; drums are inferred at 90% of examples or more
 *   and refused at 10% or less; a meter is inferred when 95% or more of the examples have it.
 * - "knowledge": the usual practice of the style, where the data has no such label, or where its examples come from
 *   one collection whose tempo was set by a converter (the folk tunes are all at 120) or fall in two modes (hip hop at
 *   half and double time). Each such entry says why.
 * Mood labels in the data mostly come from the analysis's own rules (src/analysis/moods.ts: mode for valence, note
 * activity and tempo for arousal), so for moods the measurements only confirm; the entries follow the music-
 * psychology findings on tempo and mode as emotional cues (fast and major: happy; slow and minor: sad; fast and
 * minor: angry, after Gabrielsson & Lindström 2010, "The role of structure in the musical expression of emotions").
 */
import type { Mode } from '../music/keys.ts';

/** How the beat is subdivided: recorded for the reader; the header has no token for it, so it is not forced. */
export type Feel = 'straight' | 'swing' | 'shuffle' | 'half-time';

export interface GenreConvention {
  /** Inclusive BPM range. */
  tempo?: [number, number];
  drums?: boolean;
  meter?: [number, number];
  feel?: Feel;
  /** GM programs used when the prompt names no instruments: genres whose sound is their instruments. */
  band?: readonly number[];
  source: string;
}

export interface MoodConvention {
  tempo?: [number, number];
  mode?: Mode;
  source: string;
}

const FOUR_FOUR: [number, number] = [4, 4];

export const GENRE_CONVENTIONS: Readonly<Record<string, GenreConvention>> = {
  'lofi': { tempo: [75, 87], drums: true, meter: FOUR_FOUR, feel: 'swing', band: [4, 33], source: 'measured (8966 examples): tempo p25-p75, drums 100%, 4/4 100%; band: electric piano 100%, finger bass 66%' },
  'hip hop': { tempo: [80, 100], drums: true, meter: FOUR_FOUR, feel: 'swing', source: 'measured drums 99%, 4/4 100%; tempo knowledge (boom bap 80-100): the data has two modes, p25 77 and p75 132, the upper one trap at double time' },
  'trip hop': { tempo: [75, 100], drums: true, source: 'knowledge: slow breakbeats' },
  'swing': { tempo: [120, 190], meter: FOUR_FOUR, feel: 'swing', source: 'measured (2362): tempo p25-p75, 4/4 99%; drums 52%, left open' },
  'big band': { tempo: [120, 200], drums: true, feel: 'swing', source: 'knowledge: swing-era dance tempos, a rhythm section with drums' },
  'jazz': { feel: 'swing', source: 'measured (5847): tempo p25-p75 102-155 is too wide to choose from and drums 55%, both left open' },
  'new orleans': { tempo: [90, 102], drums: true, meter: FOUR_FOUR, feel: 'swing', source: 'measured (78): tempo p25-p75, drums 100%, 4/4 100%' },
  'rock': { tempo: [99, 144], drums: true, source: 'measured (53839): tempo p25-p75; drums 83%, inferred from knowledge (the rock line-up has a kit); 4/4 92%, left open' },
  'metal': { tempo: [100, 180], drums: true, meter: FOUR_FOUR, band: [30, 33], source: 'knowledge (no metal label in the data): heavy metal 100-180, distorted guitar, bass, drums' },
  'punk': { tempo: [150, 200], drums: true, meter: FOUR_FOUR, band: [30, 33], source: 'knowledge (no punk label in the data): fast, distorted guitar, bass, drums' },
  'grunge': { drums: true, source: 'knowledge: a rock band with a kit' },
  'indie': { drums: true, source: 'knowledge: a rock band with a kit' },
  'pop': { tempo: [80, 123], source: 'measured (24199): tempo p25-p75; drums 63%, left open; 4/4 73%, left open' },
  'synthpop': { tempo: [100, 130], drums: true, meter: FOUR_FOUR, source: 'knowledge: drum machines, dance tempos' },
  'classical': { drums: false, source: 'measured (6646): drums 9%; tempo p25-p75 87-140 too wide, left open' },
  'baroque': { drums: false, source: 'measured (463): drums 0% (tempo is the MusicXML default 120 for most, left open)' },
  'choral': { drums: false, source: 'knowledge: voices; measured drums 35% (songs with a choir part), overruled' },
  'folk': { drums: false, source: 'measured (3047): drums 0%, one collection of tunes (Nottingham) all at 120 BPM, so tempo left open' },
  'jig': { drums: false, source: 'measured (1036): drums 0%; 6/8 comes from the genre words (docs/PROMPTS.md, Genres)' },
  'reel': { drums: false, source: 'measured (1348): drums 0%' },
  'hornpipe': { drums: false, source: 'measured (88): drums 0%' },
  'bluegrass': { tempo: [110, 170], drums: false, source: 'knowledge: a fast string band without drums' },
  'country': { tempo: [90, 136], drums: true, source: 'measured (7358): tempo p25-p75, drums 90%; 4/4 91%, left open' },
  'funk': { tempo: [92, 110], drums: true, meter: FOUR_FOUR, feel: 'straight', source: 'measured (337): tempo p25-p75, drums 96%, 4/4 99%' },
  'soul': { tempo: [96, 105], drums: true, meter: FOUR_FOUR, source: 'measured (59): tempo p25-p75, drums 100%, 4/4 100%' },
  'rnb': { tempo: [90, 124], drums: true, meter: FOUR_FOUR, source: 'measured (723): tempo p25-p75, drums 93%, 4/4 96%' },
  'disco': { tempo: [110, 130], drums: true, meter: FOUR_FOUR, source: 'knowledge (no disco label in the data): four on the floor at 110-130' },
  'reggae': { tempo: [122, 140], drums: true, meter: FOUR_FOUR, source: 'measured (938): tempo p25-p75 (the examples are written at double time), drums 96%, 4/4 100%' },
  'dub': { tempo: [126, 144], drums: true, meter: FOUR_FOUR, source: 'measured (776): tempo p25-p75 (double time as reggae), drums 97%, 4/4 100%' },
  'ska': { drums: true, source: 'knowledge: a band with a kit' },
  'afrobeat': { tempo: [90, 110], drums: true, meter: FOUR_FOUR, source: 'measured (81): tempo p25-p75, drums 100%, 4/4 100%' },
  'bossa nova': { tempo: [110, 140], meter: FOUR_FOUR, source: 'knowledge for tempo (the data has one tempo, 127, for nearly all 288 examples); measured 4/4 100%; drums 68%, left open' },
  'house': { tempo: [122, 126], drums: true, meter: FOUR_FOUR, source: 'measured (4252): tempo p25-p75, drums 100%, 4/4 100% (the assembled collection, src/dataset/sources/assembled.ts)' },
  'techno': { tempo: [127, 133], drums: true, meter: FOUR_FOUR, source: 'measured (4555): tempo p25-p75, drums 100%, 4/4 100% (assembled collection)' },
  'trance': { tempo: [128, 142], drums: true, meter: FOUR_FOUR, source: 'knowledge (no trance label in the data)' },
  'edm': { drums: true, meter: FOUR_FOUR, source: 'measured (13326): drums 99%, 4/4 99%; tempo in two modes (p25 125, p75 164), left open' },
  'electronic': { drums: true, meter: FOUR_FOUR, source: 'measured (31705): drums 94%, 4/4 98%; tempo p25-p75 125-150 spans its styles, left open' },
  'dubstep': { tempo: [135, 145], drums: true, meter: FOUR_FOUR, feel: 'half-time', source: 'knowledge (no dubstep label in the data): 140 with a half-time feel' },
  'trap': { tempo: [135, 145], drums: true, meter: FOUR_FOUR, feel: 'half-time', source: 'measured (3931): tempo p25-p75, drums 100%, 4/4 100% (assembled collection)' },
  'drill': { tempo: [138, 146], drums: true, meter: FOUR_FOUR, feel: 'half-time', source: 'knowledge (no drill label in the data): about 140' },
  'drum and bass': { tempo: [164, 174], drums: true, meter: FOUR_FOUR, source: 'measured (4270): tempo p25-p75, drums 100%, 4/4 100% (assembled collection)' },
  'breakbeat': { tempo: [120, 140], drums: true, source: 'knowledge (no breakbeat label in the data)' },
  'synthwave': { tempo: [80, 118], drums: true, meter: FOUR_FOUR, band: [81, 38, 89], source: 'knowledge (no synthwave label in the data): 80-118 BPM, saw lead, synth bass, pads, drum machine' },
  'chiptune': { tempo: [125, 150], drums: true, meter: FOUR_FOUR, source: 'measured (12172): tempo p25-p75, drums 92%, 4/4 97% (the square lead comes from the genre words)' },
  'ambient': { tempo: [60, 90], drums: false, source: 'knowledge (no ambient label in the data): slow, beatless' },
  'new age': { tempo: [60, 90], drums: false, source: 'knowledge: slow, beatless' },
  'ballad': { tempo: [64, 75], source: 'measured (680): tempo p25-p75; drums 2% (one collection), left open: pop and rock ballads have a kit' },
  'lullaby': { tempo: [60, 80], drums: false, source: 'knowledge: slow and soft' },
  'ragtime': { drums: false, source: 'knowledge: solo piano' },
  'minuet': { tempo: [100, 126], drums: false, source: 'knowledge: a moderate court dance in 3/4 (the meter comes from the genre words)' },
  'mazurka': { drums: false, source: 'knowledge: a piano or folk dance in 3/4' },
  'march': { tempo: [108, 126], drums: true, source: 'knowledge: marching pace about 120, with snare and bass drum (2/4 comes from the genre words)' },
  'polka': { tempo: [110, 140], source: 'knowledge: a lively 2/4 dance' },
};

export const MOOD_CONVENTIONS: Readonly<Record<string, MoodConvention>> = {
  happy: { tempo: [100, 140], mode: 'major', source: 'knowledge: fast and major; the data (39101) has 1% minor, p50 130' },
  sad: { tempo: [55, 85], mode: 'minor', source: 'knowledge: slow and minor; the data (20694) has 96% minor, p50 90' },
  melancholic: { tempo: [55, 90], mode: 'minor', source: 'knowledge: slow and minor; the data (19471) has 97% minor, p50 88' },
  calm: { tempo: [60, 90], source: 'knowledge: slow; the data (29226) p50 90' },
  peaceful: { tempo: [60, 90], source: 'knowledge: slow; the data (29303) p50 90' },
  chill: { tempo: [70, 100], source: 'knowledge: relaxed, like the tempo word "chill"' },
  dreamy: { tempo: [60, 100], source: 'knowledge: slow to moderate; the data (14236) p50 90' },
  romantic: { tempo: [60, 100], source: 'knowledge: tender, slow to moderate' },
  energetic: { tempo: [120, 160], source: 'knowledge: fast; the data (39588) p50 130' },
  playful: { tempo: [100, 140], mode: 'major', source: 'knowledge: bright and quick' },
  triumphant: { tempo: [100, 140], mode: 'major', source: 'knowledge: a major fanfare' },
  hopeful: { mode: 'major', source: 'knowledge: major' },
  angry: { tempo: [120, 180], mode: 'minor', source: 'knowledge: fast and minor' },
  intense: { tempo: [120, 180], source: 'knowledge: fast; the data (1416) p50 150' },
  dark: { mode: 'minor', source: 'knowledge: minor (tempo varies: dark techno is fast); the data (48989) has 98% minor' },
  tense: { mode: 'minor', source: 'knowledge: minor; the data (41082) has 100% minor' },
  mysterious: { mode: 'minor', source: 'knowledge: minor; the data (9629) has 71% minor' },
  spooky: { mode: 'minor', source: 'knowledge: minor' },
  lonely: { tempo: [55, 90], mode: 'minor', source: 'knowledge: slow and minor' },
  groovy: { tempo: [90, 120], source: 'knowledge: a funk tempo' },
};
