/**
 * Ensembles a prompt may name instead of its instruments ("piano trio", "string quartet", "big band"), with the parts a
 * musician hears in the name. The attribute stage (attribute-stage.ts) adds the parts to what the prompt states;
 * docs/PROMPTS.md ("What is inferred") lists them with their sources. Parts are GM programs: two violins are one
 * program, so a string quartet has three.
 */

export interface Ensemble {
  /** The name shown in what was inferred. */
  id: string;
  /** Phrases that name it, matched as whole words (hyphens and spaces alike). */
  names: readonly string[];
  /** GM programs of its parts. */
  parts: readonly number[];
  /** Whether its drum kit plays; absent when an ensemble of that name may or may not have one. */
  drums?: boolean;
  /** The reading applies only when the prompt names one of these genres (a classical piano trio has no drums). */
  genres?: readonly string[];
  /** Where the parts come from: a measured palette (models/instrument-palettes.json) or the usual line-up. */
  source: string;
}

const CLASSICAL = ['classical', 'baroque', 'orchestral', 'choral'];

/** In order: for a name with several readings, the first whose genres the prompt names wins (the general one last). */
export const ENSEMBLES: readonly Ensemble[] = [
  {
    id: 'classical piano trio', names: ['piano trio'], parts: [0, 40, 42], drums: false, genres: CLASSICAL,
    source: 'the classical line-up: piano, violin, cello',
  },
  {
    id: 'piano trio', names: ['piano trio', 'jazz trio', 'jazz piano trio'], parts: [0, 32], drums: true,
    source: 'the jazz line-up: piano, double bass, drums',
  },
  { id: 'string quartet', names: ['string quartet'], parts: [40, 41, 42], drums: false, source: 'two violins, viola, cello' },
  { id: 'string trio', names: ['string trio'], parts: [40, 41, 42], drums: false, source: 'violin, viola, cello' },
  {
    id: 'piano quintet', names: ['piano quintet', 'piano quartet'], parts: [0, 40, 41, 42], drums: false,
    source: 'piano with a string quartet (the quartet: violin, viola, cello)',
  },
  {
    id: 'brass quintet', names: ['brass quintet', 'brass quartet', 'brass ensemble'], parts: [56, 60, 57, 58], drums: false,
    source: 'two trumpets, horn, trombone, tuba',
  },
  {
    id: 'woodwind quintet', names: ['woodwind quintet', 'wind quintet', 'woodwinds', 'woodwind section'], parts: [73, 68, 71, 70, 60],
    drums: false, source: 'flute, oboe, clarinet, bassoon, horn',
  },
  {
    id: 'big band', names: ['big band', 'jazz orchestra'], parts: [56, 57, 65, 66, 0, 32], drums: true,
    source: 'trumpets, trombones, alto and tenor saxes, and a rhythm section of piano, double bass and drums',
  },
  {
    id: 'jazz combo', names: ['jazz combo', 'jazz quintet', 'jazz band'], parts: [56, 66, 0, 32], drums: true,
    source: 'the hard-bop quintet: trumpet, tenor sax, piano, double bass, drums',
  },
  { id: 'jazz quartet', names: ['jazz quartet'], parts: [66, 0, 32], drums: true, source: 'tenor sax, piano, double bass, drums' },
  {
    id: 'orchestra', names: ['orchestra', 'orchestral', 'symphony orchestra', 'full orchestra', 'symphonic'], parts: [48, 60, 56, 73, 47],
    source: 'the commonest parts of the orchestral examples (instrument palette: strings 72%, horn 58%, flute 50%, timpani 47%, trumpet 37%); drums left open (77% of them have GM percussion)',
  },
  { id: 'string orchestra', names: ['string orchestra'], parts: [48], drums: false, source: 'string ensemble' },
  {
    id: 'rock band', names: ['rock band', 'power trio'], parts: [29, 33], drums: true,
    source: 'guitar, bass, drums; the overdriven guitar the parser gives "rock guitar"',
  },
  { id: 'metal band', names: ['metal band'], parts: [30, 33], drums: true, source: 'distorted guitar, bass, drums' },
  { id: 'punk band', names: ['punk band'], parts: [30, 33], drums: true, source: 'distorted guitar, bass, drums' },
  { id: 'funk band', names: ['funk band'], parts: [27, 33], drums: true, source: 'clean electric guitar, bass, drums' },
  {
    id: 'bluegrass band', names: ['bluegrass band'], parts: [105, 110, 25, 32], drums: false,
    source: 'banjo, fiddle, acoustic guitar, double bass: a string band, no drums',
  },
  { id: 'choir', names: ['a cappella', 'acapella', 'choir'], parts: [52], drums: false, source: 'voices (choir aahs)' },
];

/** Every name in ENSEMBLES as its words, longest first: the stage tries longer names before shorter ones. */
export const ENSEMBLE_NAMES: readonly (readonly string[])[] = [...new Set(ENSEMBLES.flatMap((ensemble) => ensemble.names))]
  .map((name) => name.split(/[\s-]+/))
  .sort((a, b) => b.length - a.length);

/** The reading of a name for a prompt that names these genres. */
export function ensembleNamed(name: string, genres: readonly string[]): Ensemble | undefined {
  return ENSEMBLES.find((ensemble) => ensemble.names.includes(name) && (!ensemble.genres || ensemble.genres.some((genre) => genres.includes(genre))));
}
