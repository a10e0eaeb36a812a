/**
 * The caption writer: the text a training example is conditioned on, written from a piece's analysis and labels.
 * Captions range from what people type in Discord ("lofi beat 90bpm") to MidiCaps-style paragraphs, in many
 * phrasings, so the model learns to follow prompts however they are worded.
 *
 * Everything a caption states is true of the piece and is read back by the prompt parser (both use
 * words.ts and phrases.ts): the writer only states facts from caption-facts.ts and only in phrasings the parser knows.
 */
import { captionFacts, agreesWith, type CaptionFacts, type CaptionInput } from './caption-facts.ts';
import { keyName } from '../music/keys.ts';
import { createRandom, type Random } from '../music/random.ts';
import { numberWord } from './numbers.ts';
import { segmentPhrases } from './phrases.ts';
import type { PromptAttributes } from './prompt.ts';
import { GENRES, INSTRUMENT_ALIASES, LENGTH_WORDS, MOODS, resolveGuitar, type LengthWord } from './words.ts';

export type { CaptionAnalysis, CaptionInput, CaptionLabels } from './caption-facts.ts';

export type CaptionStyle = 'terse' | 'tags' | 'sentence' | 'paragraph';

/**
 * What a caption says, as the parser should read it back: the prompt's attributes, with the lists always there
 * (empty when the caption names none) and no tempo range (a caption names a BPM or a tempo word). Seconds are
 * rounded as written (to 5 s from 10 s up).
 */
export type StatedAttributes = Omit<PromptAttributes, 'tempoRange' | 'instruments' | 'genres' | 'moods'>
  & Required<Pick<PromptAttributes, 'instruments' | 'genres' | 'moods'>>;

export interface Caption {
  text: string;
  style: CaptionStyle;
  stated: StatedAttributes;
}

export interface CaptionOptions {
  seed: number;
  count: number;
}

/** `count` distinct captions (fewer only when the piece offers too little to say), the same for the same seed. */
export function writeCaptions(input: CaptionInput, options: CaptionOptions): string[] {
  return composeCaptions(input, options).map((caption) => caption.text);
}

/** writeCaptions with what each caption states, for tests and dataset statistics. */
export function composeCaptions(input: CaptionInput, { seed, count }: CaptionOptions): Caption[] {
  const facts = captionFacts(input);
  const random = createRandom(seed);
  const captions: Caption[] = [];
  const seen = new Set<string>();
  // Styles take turns in a shuffled order so that even a few captions mix short and long ones.
  let styles: CaptionStyle[] = [];
  for (let attempt = 0; captions.length < count && attempt < count * 20; attempt++) {
    if (styles.length === 0) styles = random.shuffle(['terse', 'tags', 'sentence', 'paragraph'] as CaptionStyle[]);
    const style = styles[styles.length - 1];
    const caption = new CaptionBuilder(facts, random, style).write();
    if (!caption.text || seen.has(caption.text)) continue;
    styles.pop();
    seen.add(caption.text);
    captions.push(caption);
  }
  return captions;
}

// ---- plan: which facts one caption states ----------------------------------------------------------------------

interface Plan {
  tempo?: 'number' | 'word' | 'both';
  tempoWord?: string;
  key?: 'key' | 'mode';
  meter: boolean;
  instruments: number[];
  /** Say whether there are drums. */
  drums: boolean;
  chords: boolean;
  length?: 'bars' | 'seconds' | 'both' | 'word';
  genres: string[];
  moods: string[];
  reference?: 'artist' | 'title' | 'both';
}

/** How likely each fact is to be stated, by style: one-liners say little, paragraphs say most. */
const INCLUDE: Record<CaptionStyle, Record<'tempo' | 'key' | 'meter' | 'drums' | 'chords' | 'length' | 'genre' | 'mood' | 'reference', number> & { instruments: number }> = {
  terse: { tempo: 0.5, key: 0.35, meter: 0.1, instruments: 2, drums: 0.5, chords: 0, length: 0.3, genre: 0.8, mood: 0.5, reference: 0.05 },
  tags: { tempo: 0.7, key: 0.6, meter: 0.4, instruments: 4, drums: 0.8, chords: 0, length: 0.4, genre: 0.9, mood: 0.6, reference: 0.1 },
  sentence: { tempo: 0.6, key: 0.5, meter: 0.3, instruments: 3, drums: 0.6, chords: 0.15, length: 0.35, genre: 0.8, mood: 0.6, reference: 0.1 },
  paragraph: { tempo: 0.9, key: 0.85, meter: 0.7, instruments: 6, drums: 0.9, chords: 0.7, length: 0.8, genre: 0.9, mood: 0.8, reference: 0.3 },
};

function makePlan(facts: CaptionFacts, random: Random, style: CaptionStyle): Plan {
  const p = INCLUDE[style];
  const plan: Plan = { meter: false, instruments: [], drums: false, chords: false, genres: [], moods: [] };
  if (facts.bpm !== undefined && random.chance(p.tempo)) {
    plan.tempo = facts.tempoWords.length === 0 ? 'number' : random.pick(['number', 'number', 'word', 'both'] as const);
    if (plan.tempo !== 'number') plan.tempoWord = random.pick(facts.tempoWords);
  }
  if (facts.key && random.chance(p.key)) plan.key = random.chance(0.85) ? 'key' : 'mode';
  plan.meter = !!facts.meter && random.chance(p.meter);
  if (facts.instruments.length && random.chance(0.85)) {
    // The busiest instruments are named first; paragraphs may name them all.
    const most = Math.min(facts.instruments.length, p.instruments);
    plan.instruments = facts.instruments.slice(0, 1 + random.int(most));
  }
  plan.drums = random.chance(p.drums);
  plan.chords = !!facts.progression && random.chance(p.chords);
  if (random.chance(p.length)) {
    const options: Array<Plan['length']> = [];
    if (facts.bars !== undefined) options.push('bars', 'bars');
    if (facts.seconds !== undefined && Math.round(facts.seconds) >= 1) options.push('seconds');
    if (facts.bars !== undefined && facts.seconds !== undefined && style === 'paragraph') options.push('both');
    if (facts.bars !== undefined && lengthWordOf(facts.bars)) options.push('word');
    if (options.length) plan.length = random.pick(options);
  }
  if (facts.genres.length && random.chance(p.genre)) plan.genres = random.shuffle(facts.genres).slice(0, 1 + random.int(Math.min(2, facts.genres.length)));
  if (facts.moods.length && random.chance(p.mood)) plan.moods = random.shuffle(facts.moods).slice(0, 1 + random.int(Math.min(2, facts.moods.length)));
  if ((facts.title || facts.artist) && random.chance(p.reference)) {
    plan.reference = facts.title && facts.artist ? random.pick(['artist', 'title', 'both'] as const) : facts.title ? 'title' : 'artist';
  }
  return plan;
}

function lengthWordOf(bars: number): LengthWord | undefined {
  return (Object.keys(LENGTH_WORDS) as LengthWord[]).find((word) => bars >= LENGTH_WORDS[word].range[0] && bars <= LENGTH_WORDS[word].range[1]);
}

// ---- words -----------------------------------------------------------------------------------------------------

/** Genre aliases that read as nouns or oddly as adjectives ("a sonata song"); captions use the others. */
const NOT_ADJECTIVE_GENRES = new Set(['film score', 'game music', 'rhythm and blues', 'electronic dance']);
/** Genres that are forms: they name the piece itself ("a sad waltz for piano"). */
const FORM_GENRES = new Set(['ballad', 'lullaby', 'march', 'polka', 'jig', 'slip jig', 'reel', 'hornpipe', 'minuet',
  'mazurka', 'tarantella', 'waltz']);
/** Tempo words as adjectives before "tempo"/"pace", each read back as its tempo word. */
const TEMPO_ADJECTIVES: Readonly<Record<string, readonly string[]>> = {
  'very slow': ['very slow'], 'slow': ['slow'], 'mid-tempo': ['moderate', 'mid-tempo'], 'upbeat': ['upbeat'],
  'uptempo': ['uptempo', 'up-tempo'], 'fast': ['fast', 'quick', 'speedy'], 'very fast': ['very fast', 'breakneck'],
};
const NOUNS = ['song', 'track', 'piece', 'tune', 'instrumental', 'composition', 'number', 'cue'];
const ENSEMBLES: Readonly<Record<number, string>> = { 2: 'duet', 3: 'trio', 4: 'quartet' };

function spellTonic(name: string, random: Random): string {
  if (name.length === 1) return name;
  const [letter, accidental] = name;
  return accidental === '#'
    ? random.pick([name, name, `${letter} sharp`, `${letter}♯`])
    : random.pick([name, name, `${letter} flat`, `${letter}-flat`, `${letter}♭`]);
}

function article(word: string): string {
  const anWord = /^(?:[aeio]|u(?!ni|se|su|ku)|[AEF](?:$|[\s#b♯♭-]|m\b|\s)|8|11\b|18\b|80s)/i.test(word) && !/^one\b/i.test(word);
  return anWord ? 'an' : 'a';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "a, b and c" or "a, b, c". */
function list(items: readonly string[], random: Random): string {
  if (items.length <= 1) return items[0] ?? '';
  const head = items.slice(0, -1).join(', ');
  return random.pick([`${head} and ${items[items.length - 1]}`, `${head} and ${items[items.length - 1]}`, items.join(', ')]);
}

/** Phrases side by side, with a space where the parser still reads them apart and a comma where it would not. */
function juxtapose(words: readonly string[]): string {
  let text = '';
  for (const word of words.filter(Boolean)) {
    if (!text) text = word;
    else {
      const together = segmentPhrases(`${text} ${word}`).join(' ');
      const apart = [...segmentPhrases(text), ...segmentPhrases(word)].join(' ');
      text = together === apart ? `${text} ${word}` : `${text}, ${word}`;
    }
  }
  return text;
}

// ---- the writer ------------------------------------------------------------------------------------------------

class CaptionBuilder {
  private readonly plan: Plan;
  private readonly stated: StatedAttributes = { instruments: [], genres: [], moods: [] };

  constructor(private readonly facts: CaptionFacts, private readonly random: Random, private readonly style: CaptionStyle) {
    this.plan = makePlan(facts, random, style);
  }

  write(): Caption {
    const text = this.style === 'terse' ? this.terse()
      : this.style === 'tags' ? this.tags()
      : this.style === 'sentence' ? this.sentence()
      : this.paragraph();
    return { text: text.replace(/\s+/g, ' ').trim(), style: this.style, stated: this.stated };
  }

  // -- facts as words; each records what it states --

  private tempo(prose: boolean): string {
    const { plan, facts, random } = this;
    if (!plan.tempo || facts.bpm === undefined) return '';
    const bpm = facts.bpm;
    const word = plan.tempoWord;
    if (plan.tempo !== 'number' && word) this.stated.tempoWord = word;
    if (plan.tempo !== 'word') this.stated.bpm = bpm;
    const number = prose
      ? random.pick([`at ${bpm} BPM`, `at ${bpm} bpm`, `at a tempo of ${bpm} BPM`, `at ${bpm} beats per minute`, `at ♩=${bpm}`, `at around ${bpm} BPM`])
      : random.pick([`${bpm}bpm`, `${bpm} BPM`, `${bpm} bpm`, `♩=${bpm}`, `tempo ${bpm}`]);
    if (plan.tempo === 'number' || !word) return number;
    const adjective = TEMPO_ADJECTIVES[word] ? random.pick(TEMPO_ADJECTIVES[word]) : undefined;
    const described = adjective
      ? `at ${article(adjective)} ${adjective} ${adjective.includes('tempo') ? 'pace' : random.pick(['tempo', 'pace'])}`
      : random.pick([`at ${article(word)} ${word} tempo`, `marked ${word}`]);
    if (plan.tempo === 'word') return prose ? described : (adjective ?? word);
    return prose ? random.pick([`${described}, ${bpm} BPM`, `${number} (${word})`]) : random.pick([`${word}, ${number}`, `${number} (${word})`]);
  }

  /** The tempo word as an adjective before the noun, when the plan says only the word. */
  private tempoAdjective(): string {
    const { plan } = this;
    if (plan.tempo !== 'word' || !plan.tempoWord || !TEMPO_ADJECTIVES[plan.tempoWord]) return '';
    this.stated.tempoWord = plan.tempoWord;
    plan.tempo = undefined;
    return this.random.pick(TEMPO_ADJECTIVES[plan.tempoWord]);
  }

  private key(prose: boolean): string {
    const { plan, facts, random } = this;
    if (!plan.key || !facts.key) return '';
    const key = facts.key;
    if (plan.key === 'mode') {
      this.stated.mode = key.mode;
      return prose ? random.pick([`in a ${key.mode} key`, `with a ${key.mode}-key feel`]) : random.pick([`${key.mode} key`, `${key.mode}-key`]);
    }
    this.stated.key = key;
    const [tonicName, mode] = keyName(key).split(' ');
    const tonic = spellTonic(tonicName, random);
    const full = random.chance(0.25) ? `${tonic.toLowerCase()} ${mode}` : `${tonic} ${mode}`;
    const short = mode === 'minor' ? `${tonicName}m` : tonicName;
    return prose
      ? random.pick([`in ${full}`, `in ${full}`, `in the key of ${full}`, `in ${short}`])
      : random.pick([full, full, `in ${full}`, `key: ${full}`, `key of ${short}`, `in ${short}`, `key: ${short}`]);
  }

  /** The meter: compact ("6/8"), as a clause ("in 6/8 time") or as a sentence. */
  private meter(form: 'compact' | 'clause' | 'sentence'): string {
    const { plan, facts, random } = this;
    if (!plan.meter || !facts.meter) return '';
    this.stated.timeSignature = facts.meter;
    const written = facts.meter.join('/');
    const named = written === '4/4' ? 'common time' : written === '3/4' ? 'triple meter' : undefined;
    const clause = random.pick([`in ${written}`, `in ${written} time`, ...(named ? [`in ${named}`] : [])]);
    if (form === 'compact') return random.pick([written, written, `${written} time`, `time signature ${written}`]);
    if (form === 'clause') return random.chance(0.8) ? clause : `with a ${written} time signature`;
    return random.pick([`It is ${clause}.`, `The time signature is ${written}.`, `The meter is ${written}.`]);
  }

  private instrumentWords(): string[] {
    const { plan, random } = this;
    return plan.instruments.map((program) => {
      this.stated.instruments.push(program);
      const aliases = [...INSTRUMENT_ALIASES[program]];
      if (resolveGuitar(plan.genres) === program) aliases.push('guitar', 'guitar');
      return random.chance(0.6) ? aliases[0] : random.pick(aliases);
    });
  }

  private drumsWord(): string {
    if (!this.plan.drums) return '';
    this.stated.drums = this.facts.drums;
    return this.facts.drums
      ? this.random.pick(['drums', 'drums', 'a drum kit', 'percussion'])
      : this.random.pick(['no drums', 'without drums', 'drumless', 'no percussion']);
  }

  /** The length as bars and/or seconds ("16 bars", "about 40 seconds"); the length word is lengthAdjective. */
  private lengthText(): string {
    const { plan, facts, random } = this;
    const bars = facts.bars;
    const barsText = () => {
      this.stated.bars = bars;
      const words = numberWord(bars!);
      const unit = random.chance(0.8) ? (bars === 1 ? 'bar' : 'bars') : (bars === 1 ? 'measure' : 'measures');
      return `${random.chance(0.2) && words ? words : bars} ${unit}`;
    };
    if (plan.length === 'bars' && bars !== undefined) return barsText();
    if (plan.length === 'seconds' && facts.seconds !== undefined) return this.secondsText();
    if (plan.length === 'both' && bars !== undefined && facts.seconds !== undefined) return `${barsText()}, ${this.secondsText()}`;
    return '';
  }

  /** "short" or "long", when the plan says the length in a word. */
  private lengthAdjective(): string {
    const word = this.plan.length === 'word' && this.facts.bars !== undefined ? lengthWordOf(this.facts.bars) : undefined;
    if (word) this.stated.lengthWord = word;
    return word ?? '';
  }

  /** The length in seconds as people say it, rounded to 5 s from 10 s up. */
  private secondsText(): string {
    const { random } = this;
    const exact = this.facts.seconds!;
    const seconds = exact < 10 ? Math.max(1, Math.round(exact)) : Math.round(exact / 5) * 5;
    this.stated.seconds = seconds;
    const about = seconds === exact ? '' : random.pick(['about ', 'around ', 'roughly ', '']);
    if (seconds < 60 || random.chance(0.25)) return `${about}${seconds} ${random.pick(['seconds', 'seconds', 'sec', 'secs'])}`;
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    const minuteWord = minutes === 1 ? 'minute' : 'minutes';
    if (rest === 0) return `${about}${minutes === 1 ? random.pick(['a', 'one', '1']) : minutes} ${minuteWord}`;
    if (rest === 30) {
      return `${about}${random.pick([`${minutes}.5 minutes`, minutes === 1 ? 'a minute and a half' : `${minutes} and a half minutes`])}`;
    }
    return `${about}${random.pick([`${minutes} ${minuteWord} ${rest} seconds`, `${minutes}:${String(rest).padStart(2, '0')}`])}`;
  }

  private genreWords(): { adjectives: string[]; form?: string } {
    const { plan, facts, random } = this;
    const adjectives: string[] = [];
    let form: string | undefined;
    for (const genre of plan.genres) {
      this.stated.genres.push(genre);
      const aliases = GENRES[genre].aliases.filter((alias) => agreesWith(facts, alias));
      if (FORM_GENRES.has(genre) && !form) {
        form = aliases[0];
        continue;
      }
      const usable = aliases.filter((alias) => !NOT_ADJECTIVE_GENRES.has(alias));
      adjectives.push(random.chance(0.6) || usable.length === 0 ? aliases[0] : random.pick(usable));
    }
    return { adjectives, form };
  }

  private moodWords(limit = Infinity): string[] {
    const { plan, random } = this;
    return plan.moods.slice(0, limit).map((mood) => {
      this.stated.moods.push(mood);
      return random.chance(0.6) ? MOODS[mood][0] : random.pick(MOODS[mood]);
    });
  }

  /** The noun a short caption ends on: "beat" and "groove" only with drums, "loop" only when short. */
  private noun(allowNone: boolean): string {
    const { facts, random } = this;
    const options = [...NOUNS];
    if (facts.drums) options.push('beat', 'beat', 'groove');
    if (facts.bars !== undefined && facts.bars <= 8) options.push('loop');
    if (ENSEMBLES[facts.ensembleSize]) options.push(ENSEMBLES[facts.ensembleSize]);
    if (allowNone) options.push('', '');
    const noun = random.pick(options);
    if (noun === 'beat') this.stated.drums = true;
    return noun;
  }

  private reference(): string {
    const { plan, facts, random } = this;
    if (plan.reference === 'artist') return random.pick([`in the style of ${facts.artist}`, `like ${facts.artist}`]);
    if (plan.reference === 'title') return random.pick([`like "${facts.title}"`, `inspired by "${facts.title}"`]);
    if (plan.reference === 'both') return `inspired by "${facts.title}" by ${facts.artist}`;
    return '';
  }

  private soloInstrument(words: string[]): string[] {
    if (words.length !== 1 || this.facts.instruments.length !== 1 || this.facts.drums || !this.random.chance(0.4)) return words;
    this.stated.drums = false;
    return [this.random.pick([`solo ${words[0]}`, `${words[0]} solo`])];
  }

  // -- styles --

  /** "sad piano in d minor", "lofi beat 90bpm", "fast 8-bit boss music", "chill jazz trio, 16 bars". */
  private terse(): string {
    const { random } = this;
    const moods = this.moodWords(1);
    const tempoAdjective = random.chance(0.6) ? this.tempoAdjective() : '';
    const { adjectives, form } = this.genreWords();
    const instruments = this.soloInstrument(this.instrumentWords());
    const head = juxtapose([...random.shuffle([...moods, tempoAdjective, this.lengthAdjective()]), ...adjectives,
      instruments.join(' and '), form ?? this.noun(instruments.length > 0)]);
    const drums = this.drumsWord();
    const extras = random.shuffle([this.tempo(false), this.key(false), this.meter('compact'), this.lengthText(),
      drums && this.facts.drums ? `with ${drums}` : drums, this.reference()]).filter(Boolean);
    return [head, ...extras].join(random.pick([', ', ' ']));
  }

  /** "lo-fi, hip hop, piano, drums, 90 BPM, A minor, 4/4". */
  private tags(): string {
    const { random } = this;
    const { adjectives, form } = this.genreWords();
    const items = [...adjectives, ...(form ? [form] : []), ...this.moodWords(), ...this.instrumentWords(), this.drumsWord(),
      this.tempo(false), this.key(false), this.meter('compact'), this.lengthAdjective(), this.lengthText()].filter(Boolean);
    return random.shuffle(items).join(random.pick([', ', ', ', ' | ', '; ']));
  }

  /** "An upbeat rock song with distorted guitar, bass and drums, in E minor, 140 BPM." */
  private sentence(): string {
    const { random } = this;
    const moods = this.moodWords();
    const { adjectives, form } = this.genreWords();
    const instruments = this.soloInstrument(this.instrumentWords());
    const drums = this.drumsWord();
    const withWhat = list([...instruments, ...(drums && this.facts.drums ? [drums] : [])], random);
    const description = juxtapose([this.lengthAdjective(), moods.join(' and '), ...adjectives, form ?? this.noun(false)]);
    const length = this.lengthText();
    const clauses = random.shuffle([
      withWhat ? `${random.pick(['with', 'featuring', 'for'])} ${withWhat}` : '',
      drums && !this.facts.drums ? random.pick(['without drums', 'with no drums', 'with no percussion']) : '',
      this.key(true), this.tempo(true), this.meter('clause'),
      length && random.pick([`${length} long`, `lasting ${length}`]), this.reference(),
    ]).filter(Boolean);
    return `${capitalize(`${article(description)} ${description}`)}${clauses.length ? ` ${clauses.join(', ')}` : ''}.`;
  }

  /** MidiCaps-style: an opening sentence, then instruments, meter and tempo, chords, length and mood in any order. */
  private paragraph(): string {
    const { random, facts } = this;
    const moods = this.moodWords();
    const { adjectives, form } = this.genreWords();
    const openingMoods = random.chance(0.6) ? moods : [];
    const description = juxtapose([this.lengthAdjective(), openingMoods.join(' and '), ...adjectives, form ?? random.pick(NOUNS)]);
    const opening = `${capitalize(`${random.pick(['', 'this is '])}${article(description)} ${description}`)}` +
      `${[this.key(true), this.tempo(true)].filter(Boolean).map((clause) => ` ${clause}`).join('')}.`;
    const sentences: string[] = [];
    const instruments = this.instrumentWords();
    const drums = this.drumsWord();
    const playing = [...instruments, ...(drums && facts.drums ? [drums] : [])];
    if (playing.length) {
      sentences.push(random.pick([`It features ${list(playing, random)}.`, `The arrangement uses ${list(playing, random)}.`,
        `Instrumentation: ${playing.join(', ')}.`, `It is scored for ${list(playing, random)}.`]));
    }
    if (drums && !facts.drums) sentences.push(random.pick(['There are no drums.', 'It has no percussion.', 'It is played without drums.']));
    const meter = this.meter('sentence');
    if (meter) sentences.push(meter);
    if (this.plan.chords && facts.progression) sentences.push(this.progressionSentence());
    const length = this.lengthText();
    if (length) sentences.push(random.pick([`It lasts ${length}.`, `The piece is ${length} long.`, `Length: ${length}.`]));
    const laterMoods = moods.filter((mood) => !openingMoods.includes(mood));
    if (laterMoods.length) sentences.push(random.pick([`The mood is ${list(laterMoods, random)}.`, `It sounds ${list(laterMoods, random)}.`]));
    const reference = this.reference();
    if (reference) sentences.push(`${capitalize(reference)}.`);
    return [opening, ...random.shuffle(sentences)].join(' ');
  }

  private progressionSentence(): string {
    const { random } = this;
    const progression = this.facts.progression!;
    const chords = progression.symbols.join(random.pick([', ', ' - ', ' → ', ' | ']));
    if (progression.repeats) {
      return random.pick([`The chord progression ${chords} repeats throughout.`, `The harmony cycles through ${chords}.`,
        `It is built on the repeating progression ${chords}.`]);
    }
    return progression.opening ? `It opens with the chords ${chords}.` : `The chords move through ${chords}.`;
  }
}
