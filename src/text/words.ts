/**
 * The words shared by the prompt parser and the caption writer: instrument aliases, genres, moods, tempo words,
 * drum words, length and meter words. Captions are what the model is trained on and prompts are what people type,
 * so both sides read from these tables: a caption can only say what the parser understands (docs/PROMPTS.md).
 * phrases.ts indexes them by phrase.
 */

/** Stands for "guitar" with no adjective: which GM guitar depends on the genres around it (resolveGuitar). */
export const GENERIC_GUITAR = -1;

export type LengthWord = 'short' | 'long';

/** Aliases of each GM program; the first is the name captions prefer. Each alias names exactly one program. */
export const INSTRUMENT_ALIASES: Readonly<Record<number, readonly string[]>> = {
  0: ['piano', 'grand piano', 'acoustic piano', 'concert piano'],
  1: ['bright piano', 'bright acoustic piano'],
  2: ['electric grand piano', 'electric grand'],
  3: ['honky-tonk piano', 'saloon piano'],
  4: ['electric piano', 'e-piano', 'rhodes', 'keys'],
  5: ['fm piano', 'dx7 piano', 'fm electric piano'],
  6: ['harpsichord'],
  7: ['clavinet', 'clav'],
  8: ['celesta', 'celeste'],
  9: ['glockenspiel', 'glock', 'bells', 'orchestra bells'],
  10: ['music box'],
  11: ['vibraphone', 'vibes'],
  12: ['marimba'],
  13: ['xylophone'],
  14: ['tubular bells', 'chimes'],
  15: ['dulcimer', 'hammered dulcimer'],
  16: ['organ', 'hammond organ', 'hammond', 'drawbar organ', 'b3 organ'],
  17: ['percussive organ'],
  18: ['rock organ'],
  19: ['church organ', 'pipe organ'],
  20: ['reed organ', 'harmonium'],
  21: ['accordion'],
  22: ['harmonica', 'mouth organ', 'blues harp'],
  23: ['bandoneon', 'tango accordion'],
  24: ['nylon guitar', 'classical guitar', 'spanish guitar', 'nylon-string guitar'],
  25: ['acoustic guitar', 'steel-string guitar', 'folk guitar'],
  26: ['jazz guitar', 'hollow-body guitar'],
  27: ['electric guitar', 'clean guitar', 'clean electric guitar'],
  28: ['muted guitar', 'palm-muted guitar'],
  29: ['overdriven guitar', 'overdrive guitar', 'crunchy guitar'],
  30: ['distorted guitar', 'distortion guitar'],
  31: ['guitar harmonics'],
  32: ['upright bass', 'acoustic bass'],
  33: ['bass', 'electric bass', 'bass guitar', 'fingered bass'],
  34: ['picked bass'],
  35: ['fretless bass'],
  36: ['slap bass'],
  37: ['slap bass 2'],
  38: ['synth bass', 'sub bass', 'bass synth'],
  39: ['acid bass', 'synth bass 2'],
  40: ['violin'],
  41: ['viola'],
  42: ['cello', 'violoncello'],
  43: ['double bass', 'contrabass'],
  44: ['tremolo strings'],
  45: ['pizzicato strings', 'pizzicato', 'pizz strings'],
  46: ['harp', 'orchestral harp'],
  47: ['timpani', 'kettle drums'],
  48: ['strings', 'string section', 'string ensemble', 'orchestral strings'],
  49: ['lush strings', 'string ensemble 2'],
  50: ['synth strings', 'string synth'],
  51: ['synth strings 2'],
  52: ['choir', 'choir aahs', 'voices'],
  53: ['voice oohs', 'oohs'],
  54: ['synth choir', 'synth voice'],
  55: ['orchestra hit', 'orchestral hit'],
  56: ['trumpet'],
  57: ['trombone'],
  58: ['tuba'],
  59: ['muted trumpet'],
  60: ['french horn', 'horn'],
  61: ['brass', 'brass section', 'horns', 'horn section'],
  62: ['synth brass'],
  63: ['synth brass 2'],
  64: ['soprano sax', 'soprano saxophone'],
  65: ['saxophone', 'sax', 'alto sax', 'alto saxophone'],
  66: ['tenor sax', 'tenor saxophone'],
  67: ['baritone sax', 'bari sax', 'baritone saxophone'],
  68: ['oboe'],
  69: ['english horn', 'cor anglais'],
  70: ['bassoon'],
  71: ['clarinet'],
  72: ['piccolo'],
  73: ['flute'],
  74: ['recorder'],
  75: ['pan flute', 'panpipes', 'pan pipes'],
  76: ['blown bottle'],
  77: ['shakuhachi'],
  78: ['whistle', 'tin whistle'],
  79: ['ocarina'],
  80: ['square lead', 'square wave lead', 'chip lead'],
  81: ['synth lead', 'synth', 'lead synth', 'saw lead', 'sawtooth lead'],
  82: ['calliope lead', 'calliope'],
  83: ['chiff lead'],
  84: ['charang lead', 'charang'],
  85: ['voice lead', 'vox lead'],
  86: ['fifths lead'],
  87: ['bass lead'],
  88: ['new age pad', 'fantasia pad'],
  89: ['synth pad', 'pad', 'warm pad'],
  90: ['polysynth', 'poly synth'],
  91: ['choir pad', 'space voice'],
  92: ['bowed pad', 'glass pad'],
  93: ['metallic pad'],
  94: ['halo pad'],
  95: ['sweep pad'],
  96: ['rain fx'],
  97: ['soundtrack fx'],
  98: ['crystal fx'],
  99: ['atmosphere fx'],
  100: ['brightness fx'],
  101: ['goblins fx'],
  102: ['echoes fx', 'echo fx'],
  103: ['sci-fi fx'],
  104: ['sitar'],
  105: ['banjo'],
  106: ['shamisen'],
  107: ['koto'],
  108: ['kalimba', 'thumb piano'],
  109: ['bagpipes', 'bagpipe', 'bag pipe'],
  110: ['fiddle'],
  111: ['shehnai', 'shanai'],
  112: ['tinkle bell'],
  113: ['agogo', 'agogo bells'],
  114: ['steel drums', 'steel drum', 'steelpan', 'steel pan'],
  115: ['woodblock', 'wood block'],
  116: ['taiko drums', 'taiko', 'taiko drum'],
  117: ['melodic tom'],
  118: ['synth drum', 'syndrum'],
  119: ['reverse cymbal'],
  120: ['guitar fret noise', 'fret noise'],
  121: ['breath noise'],
  122: ['seashore', 'ocean waves', 'sea waves'],
  123: ['birdsong', 'bird tweet', 'birds'],
  124: ['telephone ring', 'telephone'],
  125: ['helicopter'],
  126: ['applause'],
  127: ['gunshot', 'gun shot'],
};

/**
 * Words the parser reads as an instrument but captions do not use, because they say more than the GM program
 * ("wurlitzer" for electric piano 1, "vocals" for choir aahs, "walking bass" for a style of playing).
 */
export const PARSER_ONLY_INSTRUMENT_ALIASES: Readonly<Record<number, readonly string[]>> = {
  4: ['wurlitzer', 'wurli'],
  14: ['church bells'],
  24: ['flamenco guitar'],
  30: ['heavy guitar', 'metal guitar'],
  32: ['walking bass'],
  33: ['bassline'],
  52: ['vocals', 'voice', 'vocal'],
  53: ['humming'],
  54: ['vocoder'],
  108: ['mbira'],
};

/** Genres with their aliases (first = the word captions prefer) and what a genre word implies on its own. */
export interface GenreEntry {
  aliases: readonly string[];
  /** Narrower words the parser maps to this genre but captions never use for it ("boom bap" is hip hop, not all hip hop is boom bap). */
  narrower?: readonly string[];
  meter?: [number, number];
  instruments?: number[];
  drums?: boolean;
}

export const GENRES: Readonly<Record<string, GenreEntry>> = {
  'lofi': { aliases: ['lo-fi', 'lofi'], narrower: ['chillhop'] },
  'hip hop': { aliases: ['hip hop', 'hiphop', 'rap'], narrower: ['boom bap'] },
  'trip hop': { aliases: ['trip hop', 'triphop'] },
  'jazz': { aliases: ['jazz', 'jazzy'], narrower: ['bebop'] },
  'swing': { aliases: ['swing'] },
  'big band': { aliases: ['big band'] },
  'fusion': { aliases: ['fusion', 'jazz fusion'] },
  'new orleans': { aliases: ['new orleans'], narrower: ['neworleans', 'second line', 'dixieland'] },
  'rock': { aliases: ['rock'], narrower: ['rock and roll', 'rock n roll', 'classic rock', 'hard rock'] },
  'indie': { aliases: ['indie'] },
  'grunge': { aliases: ['grunge'] },
  'metal': { aliases: ['metal'], narrower: ['heavy metal', 'thrash metal', 'metalcore'] },
  'punk': { aliases: ['punk'], narrower: ['punk rock', 'pop punk'] },
  'pop': { aliases: ['pop'], narrower: ['k-pop', 'j-pop'] },
  'synthpop': { aliases: ['synthpop', 'synth pop'] },
  'classical': { aliases: ['classical'], narrower: ['chamber music', 'sonata', 'concerto', 'nocturne', 'etude'] },
  'baroque': { aliases: ['baroque'], narrower: ['fugue', 'chorale'] },
  'orchestral': { aliases: ['orchestral', 'symphonic'], narrower: ['orchestra', 'symphony'] },
  'choral': { aliases: ['choral'] },
  'cinematic': { aliases: ['cinematic', 'film score'], narrower: ['film', 'movie', 'soundtrack', 'trailer'] },
  'folk': { aliases: ['folk'], narrower: ['celtic', 'irish', 'sea shanty', 'shanty'] },
  'bluegrass': { aliases: ['bluegrass'] },
  'country': { aliases: ['country'], narrower: ['country and western', 'honky tonk'] },
  'blues': { aliases: ['blues', 'bluesy'] },
  'funk': { aliases: ['funk', 'funky'] },
  'soul': { aliases: ['soul'], narrower: ['motown', 'neo soul'] },
  'rnb': { aliases: ['r&b', 'rnb', 'rhythm and blues'] },
  'gospel': { aliases: ['gospel'] },
  'disco': { aliases: ['disco'] },
  'reggae': { aliases: ['reggae'], narrower: ['roots reggae', 'dancehall'] },
  'dub': { aliases: ['dub'] },
  'ska': { aliases: ['ska'] },
  'afrobeat': { aliases: ['afrobeat', 'afrobeats'] },
  'latin': { aliases: ['latin'], narrower: ['salsa', 'afro-cuban', 'afrocuban', 'cumbia', 'mambo', 'rumba', 'rhumba', 'brazilian'] },
  'bossa nova': { aliases: ['bossa nova', 'bossa'] },
  'samba': { aliases: ['samba'], narrower: ['baiao'] },
  'tango': { aliases: ['tango'] },
  'flamenco': { aliases: ['flamenco'] },
  'house': { aliases: ['house'], narrower: ['deep house', 'tech house'] },
  'techno': { aliases: ['techno'] },
  'trance': { aliases: ['trance'] },
  'edm': { aliases: ['edm', 'electronic dance', 'dance'], narrower: ['dance music'] },
  'electronic': { aliases: ['electronic', 'electronica'], narrower: ['idm'] },
  'dubstep': { aliases: ['dubstep'] },
  'trap': { aliases: ['trap'] },
  'drill': { aliases: ['drill'] },
  'phonk': { aliases: ['phonk'] },
  'drum and bass': { aliases: ['drum and bass', 'drum n bass', 'drum & bass', 'dnb', 'd&b'], narrower: ['jungle'] },
  'breakbeat': { aliases: ['breakbeat'], narrower: ['breaks'], drums: true },
  'synthwave': { aliases: ['synthwave', 'retrowave'], narrower: ['outrun', 'vaporwave'] },
  'chiptune': { aliases: ['chiptune', '8-bit', '8bit', 'chip tune'], narrower: ['chip music', 'nes', 'gameboy'], instruments: [80] },
  'video game': { aliases: ['video game', 'videogame', 'game music', 'vgm'], narrower: ['rpg', '16-bit', 'snes'] },
  'ambient': { aliases: ['ambient'], narrower: ['drone'] },
  'new age': { aliases: ['new age'] },
  'ballad': { aliases: ['ballad'], narrower: ['power ballad'] },
  'lullaby': { aliases: ['lullaby'] },
  'christmas': { aliases: ['christmas', 'xmas'] },
  'ragtime': { aliases: ['ragtime'] },
  'waltz': { aliases: ['waltz'], meter: [3, 4] },
  'minuet': { aliases: ['minuet'], meter: [3, 4] },
  'mazurka': { aliases: ['mazurka'], meter: [3, 4] },
  'march': { aliases: ['march'], narrower: ['marching band'], meter: [2, 4] },
  'polka': { aliases: ['polka'], meter: [2, 4] },
  'jig': { aliases: ['jig'], meter: [6, 8] },
  'slip jig': { aliases: ['slip jig'], meter: [9, 8] },
  'tarantella': { aliases: ['tarantella'], meter: [6, 8] },
  'reel': { aliases: ['reel'] },
  'hornpipe': { aliases: ['hornpipe'] },
  '60s': { aliases: ['60s', 'sixties'], narrower: ['1960s'] },
  '70s': { aliases: ['70s', 'seventies'], narrower: ['1970s'] },
  '80s': { aliases: ['80s', 'eighties'], narrower: ['1980s'] },
  '90s': { aliases: ['90s', 'nineties'], narrower: ['1990s'] },
};

/** Mood words, each a plain synonym that captions may use for the mood (the first is preferred). */
export const MOODS: Readonly<Record<string, readonly string[]>> = {
  happy: ['happy', 'joyful', 'cheerful', 'joyous', 'feel-good'],
  sad: ['sad', 'sorrowful', 'mournful'],
  melancholic: ['melancholic', 'melancholy', 'somber', 'sombre'],
  calm: ['calm', 'relaxing', 'relaxed', 'soothing', 'serene', 'tranquil'],
  peaceful: ['peaceful'],
  chill: ['chilled', 'chillout', 'chill-out'],
  epic: ['epic', 'majestic'],
  dramatic: ['dramatic'],
  dark: ['dark', 'ominous', 'gloomy'],
  dreamy: ['dreamy', 'ethereal', 'floaty', 'hazy'],
  energetic: ['energetic', 'high-energy', 'lively', 'excited', 'exciting'],
  romantic: ['romantic', 'tender', 'loving'],
  tense: ['tense', 'suspenseful'],
  nostalgic: ['nostalgic', 'wistful', 'sentimental'],
  mysterious: ['mysterious', 'mystical', 'enigmatic'],
  triumphant: ['triumphant', 'victorious', 'celebratory'],
  hopeful: ['hopeful', 'uplifting', 'optimistic'],
  playful: ['playful', 'whimsical', 'bouncy'],
  angry: ['angry', 'aggressive'],
  rebellious: ['rebellious', 'defiant'],
  intense: ['intense'],
  spooky: ['spooky', 'creepy', 'eerie'],
  spiritual: ['spiritual', 'sacred'],
  lonely: ['lonely', 'lonesome'],
  groovy: ['groovy'],
};

/** Stronger or narrower words the parser maps to a mood but captions do not use for it ("heartbroken" is sad). */
export const PARSER_ONLY_MOOD_WORDS: Readonly<Record<string, readonly string[]>> = {
  happy: ['jolly', 'sunny', 'fun'],
  sad: ['heartbroken', 'tearful', 'depressing', 'anguished'],
  calm: ['gentle', 'mellow'],
  epic: ['grand', 'heroic'],
  dark: ['sinister', 'brooding', 'grim'],
  dreamy: ['atmospheric'],
  energetic: ['driving', 'pumping', 'hype'],
  romantic: ['sensual', 'intimate', 'love song'],
  tense: ['anxious', 'nervous', 'fearful'],
  nostalgic: ['bittersweet'],
  hopeful: ['inspiring', 'inspirational', 'empowering', 'empowered'],
  playful: ['quirky', 'cute', 'silly'],
  angry: ['furious', 'rage'],
  intense: ['fierce', 'battle', 'boss battle', 'boss fight', 'boss'],
  spooky: ['scary', 'haunting', 'haunted', 'horror'],
  spiritual: ['holy'],
};

/** Tempo words and the BPM range each implies when no number is given. */
export interface TempoWordEntry {
  aliases: readonly string[];
  range: [number, number];
  /** Moods the word carries besides its tempo ("chill"). */
  mood?: string;
}

export const TEMPO_WORDS: Readonly<Record<string, TempoWordEntry>> = {
  'grave': { aliases: ['grave'], range: [20, 45] },
  'largo': { aliases: ['largo'], range: [40, 60] },
  'lento': { aliases: ['lento'], range: [45, 60] },
  'larghetto': { aliases: ['larghetto'], range: [60, 66] },
  'adagio': { aliases: ['adagio'], range: [66, 76] },
  'andante': { aliases: ['andante'], range: [76, 108] },
  'andantino': { aliases: ['andantino'], range: [80, 108] },
  'moderato': { aliases: ['moderato'], range: [108, 120] },
  'allegretto': { aliases: ['allegretto'], range: [112, 120] },
  'allegro': { aliases: ['allegro'], range: [120, 156] },
  'vivace': { aliases: ['vivace'], range: [156, 176] },
  'presto': { aliases: ['presto'], range: [168, 200] },
  'prestissimo': { aliases: ['prestissimo'], range: [200, 299] },
  'very slow': { aliases: ['very slow', 'super slow'], range: [40, 60] },
  'slow': { aliases: ['slow', 'slowly', 'slow-paced', 'slow tempo'], range: [60, 80] },
  'chill': { aliases: ['chill'], range: [60, 100], mood: 'chill' },
  'laid-back': { aliases: ['laid-back', 'laidback'], range: [70, 100], mood: 'chill' },
  'mid-tempo': { aliases: ['mid-tempo', 'midtempo', 'medium tempo', 'moderate tempo', 'moderate', 'medium-paced'], range: [90, 120] },
  'upbeat': { aliases: ['upbeat'], range: [110, 140] },
  'uptempo': { aliases: ['uptempo', 'up-tempo'], range: [120, 160] },
  'fast': { aliases: ['fast', 'quick', 'fast-paced', 'speedy', 'fast tempo'], range: [140, 180] },
  'very fast': { aliases: ['very fast', 'super fast', 'frantic', 'breakneck'], range: [180, 240] },
};

/** The drum kit: words that ask for it. "beat" counts: a "lofi beat" is a track with drums. */
export const DRUM_WORDS: readonly string[] = [
  'drums', 'drum', 'drum kit', 'drumkit', 'drum set', 'percussion', 'beat', 'drum beat', 'drum loop', 'drum machine',
  'kick drum', 'bass drum', 'kick', 'snare', 'snare drum', 'hi-hat', 'hihat', 'hi-hats', 'hihats', 'cymbals',
  'backbeat',
];
export const NO_DRUM_WORDS: readonly string[] = ['drumless', 'drum-free'];

/** Lengths a word implies when no number is given: the bars used, and the range of bars the word covers. */
export const LENGTH_WORDS: Readonly<Record<LengthWord, { bars: number; range: [number, number] }>> = {
  short: { bars: 8, range: [1, 8] },
  long: { bars: 32, range: [32, 64] },
};

/** Meters named in words. */
export const METER_WORDS: Readonly<Record<string, [number, number]>> = {
  'common time': [4, 4],
  'cut time': [2, 2],
  'alla breve': [2, 2],
  'triple meter': [3, 4],
  'triple time': [3, 4],
  'waltz time': [3, 4],
  'duple meter': [2, 4],
};

/**
 * The GM guitar that a bare "guitar" means in these genres: distortion for metal, overdrive for rock, nylon for
 * classical and Latin styles, jazz guitar for jazz, clean electric for funk and soul, otherwise acoustic steel.
 */
const GUITAR_BY_GENRE: ReadonlyArray<[readonly string[], number]> = [
  [['metal', 'punk', 'grunge'], 30],
  [['rock', 'indie'], 29],
  [['jazz', 'swing', 'big band', 'fusion'], 26],
  [['classical', 'baroque', 'flamenco', 'bossa nova', 'latin', 'samba', 'tango'], 24],
  [['funk', 'disco', 'soul', 'rnb', 'reggae', 'ska', 'dub', 'afrobeat', 'pop', 'synthpop', 'blues'], 27],
];
export const DEFAULT_GUITAR = 25;

export function resolveGuitar(genres: readonly string[]): number {
  for (const [family, program] of GUITAR_BY_GENRE) if (genres.some((genre) => family.includes(genre))) return program;
  return DEFAULT_GUITAR;
}
