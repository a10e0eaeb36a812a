/**
 * The prompt parser and the bot's option checks under hostile input: time that grows in step with the input (not
 * with its square or cube), refusals short enough for Discord, and no attribute out of range whatever is typed.
 */
import { describe, expect, it } from 'vitest';
import { checkComposeOptions, MAX_TAKES, type RawComposeOptions } from '../src/jobs/compose-options.ts';
import { MAX_BPM, MIN_BPM, TIME_SIGNATURES } from '../src/music/grid.ts';
import { MAX_BARS, MAX_PROMPT_CHARS, MAX_SECONDS, MIN_SECONDS, parsePrompt, type PromptAttributes } from '../src/text/prompt.ts';
import { DRUMS } from '../src/music/score.ts';
import { GENRES, INSTRUMENT_ALIASES, LENGTH_WORDS, MOODS, TEMPO_WORDS } from '../src/text/words.ts';

/** The most characters Discord accepts in a message: every refusal must fit. */
const DISCORD_MESSAGE_CHARS = 2000;

const mixedWhitespace = (n: number) => Array.from({ length: n }, (_, i) => ' \t\n'[i % 3]).join('');
const repeated = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** Inputs that were cubic or quadratic: a keyword or number before a long gap, and many short matches in a row. */
const HOSTILE_SHAPES: Record<string, (n: number) => string> = {
  'tempo + whitespace': (n) => `tempo${mixedWhitespace(n)}x`,
  'bpm + whitespace': (n) => `bpm${mixedWhitespace(n)}x`,
  'speed + spaces': (n) => `speed${' '.repeat(n)}=`,
  '1 + spaces': (n) => `1${' '.repeat(n)}x`,
  'a + spaces': (n) => `a${' '.repeat(n)}x`,
  'swing + spaces': (n) => `swing${' '.repeat(n)}140`,
  'a + hyphens': (n) => `a${'-'.repeat(n)}x`,
  'bad meters': (n) => repeated('0/4 ', n),
  'tempi': (n) => repeated('90bpm ', n),
  'Am': (n) => repeated('Am ', n),
  'in A': (n) => repeated('in A ', n),
  'lengths': (n) => repeated('2 minutes and ', n),
  'digits': (n) => '1'.repeat(n),
};

/** The fastest of a few runs, in milliseconds: the least disturbed by other work on the machine. */
function fastest(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    parsePrompt(text, { maxLength: Infinity });
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('the prompt parser on hostile input', () => {
  it('takes time in step with the length: ten times the text costs about ten times as much, not a hundred', () => {
    // Below this a timing is mostly noise (on a machine busy with training, a linear shape's small size once timed
    // far below its share), so smaller ones count as this much. A superlinear shape still fails: the step to the
    // largest size starts from a timing well above the floor.
    const floorMs = 2;
    // Linear growth gives ten; quadratic a hundred. The margin is for a machine busy with other work.
    const allowedGrowth = 35;
    for (const text of Object.values(HOSTILE_SHAPES).map((make) => make(1000))) fastest(text); // warm up the JIT
    for (const [shape, make] of Object.entries(HOSTILE_SHAPES)) {
      // Smallest first, stopping at the first bad step: a superlinear shape must not run at the largest size.
      let previous = Math.max(floorMs, fastest(make(1_000)));
      for (const length of [10_000, 100_000]) {
        const ms = fastest(make(length));
        expect(ms / previous, `${shape} at ${length} characters: ${ms.toFixed(1)} ms after ${previous.toFixed(1)} ms`).toBeLessThan(allowedGrowth);
        previous = Math.max(floorMs, ms);
      }
    }
  }, 120_000);

  it('refuses a prompt past the cap at once, saying the cap', () => {
    const result = parsePrompt(`tempo${' '.repeat(MAX_PROMPT_CHARS)}90`);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(new RegExp(`too long.*${MAX_PROMPT_CHARS}`)) });
    expect(parsePrompt(`tempo${' '.repeat(MAX_PROMPT_CHARS - 10)}90`)).toMatchObject({ ok: true, attributes: { bpm: 90 } });
  });

  it('names the first few problems and counts the rest, within a Discord message', () => {
    const result = parsePrompt(repeated('0/4 ', 299));
    if (result.ok) throw new Error('accepted');
    expect(result.error.length).toBeLessThan(DISCORD_MESSAGE_CHARS);
    expect(result.error.match(/is not a supported time signature/g)).toHaveLength(3);
    expect(result.error).toMatch(/and 72 more problems/);
  });

  it('quotes a long bad value cut short', () => {
    const result = parsePrompt(`x${'-'.repeat(1500)}major`);
    if (result.ok) throw new Error('accepted');
    expect(result.error).toMatch(/^"x-+…" is not a key/);
    expect(result.error.length).toBeLessThan(300);
  });
});

// ---- fuzzing ---------------------------------------------------------------------------------------------------

/** A small seeded generator, so that a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

const VOCABULARY = [
  ...Object.values(INSTRUMENT_ALIASES).flat(), ...Object.values(GENRES).flatMap((genre) => genre.aliases), ...Object.values(MOODS).flat(),
  ...Object.values(TEMPO_WORDS).flatMap((word) => word.aliases), 'drums', 'no drums', 'without', 'solo', 'short', 'long', 'and', 'in', 'at',
];
const NUMBERS = ['0', '-1', '-0', '1e308', '1e-9', 'NaN', 'Infinity', '0x10', '1.5.5', '99999999999999999999', '007', '2.', '.5', '20', '299',
  '300', '64', '65', '600', '601', 'sixty-four', 'ninety nine', '१२०', '１２０'];
const UNITS = ['bpm', 'BPM', 'b.p.m.', 'beats per minute', 'bars', 'measures', 'seconds', 'secs', 'minutes', 'mins', 'hours', '%', ''];
const KEYS = ['C major', 'H minor', 'Z# minor', 'Cb major', 'B#m', 'e flat major', 'a minor key', 'key of', 'in A', 'Am', 'F#min', 'I Am',
  'key: Q', 'in the key of h', 'C#/Db'];
const METERS = ['0/0', '99/1', '3/4', '13/7', '4/0', '24/7', '7/8 time', '1000/1000', '/', '4 / 4 meter'];
const MARKUP = ['**bold**', '__under__', '~~strike~~', '`code`', '```js\n```', '||spoiler||', '> quote', '# heading', '[link](http://x.y)',
  '<script>alert(1)</script>', '&amp;', '\\', '"', "'", '{}[]()'];
const MENTIONS = ['@everyone', '@here', '<@123456789012345678>', '<@!1>', '<#1>', '<@&5>', '<:emoji:123>', '<t:0:R>', '@Motif'];
const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b[31m', '\u007f', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\ud800', '\udfff',
  '\r', '\v', '\f', '\u2028', '\u00a0', '\u3000'];

function randomUnicode(random: ReturnType<typeof generator>): string {
  const length = 1 + random.int(8);
  let text = '';
  for (let i = 0; i < length; i++) {
    const plane = random.int(4);
    const code = plane === 0 ? random.int(0x80) : plane === 1 ? random.int(0x3000) : plane === 2 ? 0x1f300 + random.int(0x300) : random.int(0x110000);
    text += code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code);
  }
  return text;
}

function whitespaceRun(random: ReturnType<typeof generator>): string {
  const length = random.next() < 0.9 ? 1 + random.int(8) : random.int(400);
  let run = '';
  for (let i = 0; i < length; i++) run += random.pick([' ', '\t', '\n', '\r\n', '\u00a0']);
  return run;
}

/** One fuzzed prompt: a few pieces of the kinds above, glued by whitespace or nothing. */
function fuzzedPrompt(random: ReturnType<typeof generator>): string {
  const pieces: string[] = [];
  const count = 1 + random.int(10);
  for (let i = 0; i < count; i++) {
    const kind = random.int(10);
    if (kind === 0) pieces.push(randomUnicode(random));
    else if (kind === 1) pieces.push(`${random.pick(NUMBERS)}${random.pick(['', ' ', '-'])}${random.pick(UNITS)}`);
    else if (kind === 2) pieces.push(`${random.pick(['tempo', 'speed', 'bpm', 'q =', '♩=', 'at', 'between'])}${whitespaceRun(random)}${random.pick(NUMBERS)}`);
    else if (kind === 3) pieces.push(random.pick(KEYS));
    else if (kind === 4) pieces.push(random.pick(METERS));
    else if (kind === 5) pieces.push(random.pick(MARKUP));
    else if (kind === 6) pieces.push(random.pick(MENTIONS));
    else if (kind === 7) pieces.push(random.pick(CONTROL));
    else if (kind === 8) pieces.push(whitespaceRun(random));
    else pieces.push(random.pick(VOCABULARY));
    pieces.push(random.next() < 0.8 ? ' ' : '');
  }
  return pieces.join('');
}

const METER_SET = new Set(TIME_SIGNATURES.map(([n, d]) => `${n}/${d}`));
const whole = (value: unknown, min: number, max: number) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** The problems with a parse's attributes: each must be one the model can be conditioned on. */
function outOfRange(a: PromptAttributes): string[] {
  const problems: string[] = [];
  if (a.bpm !== undefined && !whole(a.bpm, MIN_BPM, MAX_BPM)) problems.push(`bpm ${a.bpm}`);
  if (a.tempoRange && !(whole(a.tempoRange[0], MIN_BPM, MAX_BPM) && whole(a.tempoRange[1], a.tempoRange[0], MAX_BPM))) problems.push(`tempoRange ${a.tempoRange}`);
  if (a.tempoWord !== undefined && !(a.tempoWord in TEMPO_WORDS)) problems.push(`tempoWord ${a.tempoWord}`);
  if (a.key && !(whole(a.key.tonic, 0, 11) && ['major', 'minor'].includes(a.key.mode))) problems.push(`key ${JSON.stringify(a.key)}`);
  if (a.mode !== undefined && !['major', 'minor'].includes(a.mode)) problems.push(`mode ${a.mode}`);
  if (a.timeSignature && !METER_SET.has(a.timeSignature.join('/'))) problems.push(`meter ${a.timeSignature}`);
  if (a.instruments?.some((id) => !whole(id, 0, 127))) problems.push(`instruments ${a.instruments}`);
  if (a.bars !== undefined && !whole(a.bars, 1, MAX_BARS)) problems.push(`bars ${a.bars}`);
  if (a.seconds !== undefined && !whole(a.seconds, MIN_SECONDS, MAX_SECONDS)) problems.push(`seconds ${a.seconds}`);
  if (a.lengthWord !== undefined && !(a.lengthWord in LENGTH_WORDS)) problems.push(`lengthWord ${a.lengthWord}`);
  if (a.genres?.some((genre) => !(genre in GENRES))) problems.push(`genres ${a.genres}`);
  if (a.moods?.some((mood) => !(mood in MOODS))) problems.push(`moods ${a.moods}`);
  return problems;
}

function fuzzedOptions(random: ReturnType<typeof generator>, prompt: string): RawComposeOptions {
  const maybe = <T>(make: () => T): T | null => (random.next() < 0.3 ? make() : null);
  const extreme = () => random.pick([0, -1, 1, 19, 20, 120, 299, 300, 64, 65, 2 ** 32, 2 ** 53, -(2 ** 31), 0.5, NaN, Infinity]);
  return {
    prompt,
    bpm: maybe(extreme),
    key: maybe(() => (random.next() < 0.5 ? random.pick(KEYS) : fuzzedPrompt(random))),
    bars: maybe(extreme),
    instruments: maybe(() => (random.next() < 0.5 ? random.pick(VOCABULARY) : fuzzedPrompt(random))),
    seed: maybe(extreme),
    takes: maybe(() => random.pick([0, 1, MAX_TAKES, MAX_TAKES + 1, -1, 2.5])),
  };
}

describe('fuzzed prompts', () => {
  it('never throw, never give an attribute out of range, and are refused in under a Discord message', () => {
    const random = generator(20);
    const count = 100_000;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const prompt = fuzzedPrompt(random);
      const parsed = parsePrompt(prompt);
      if (parsed.ok) {
        const problems = outOfRange(parsed.attributes);
        if (problems.length) expect.fail(`${JSON.stringify(prompt)} gave ${problems.join(', ')}`);
      } else {
        refused++;
        if (!(parsed.error.length > 0 && parsed.error.length <= DISCORD_MESSAGE_CHARS)) expect.fail(`${JSON.stringify(prompt)}: refusal of ${parsed.error.length} characters`);
      }
      const checked = checkComposeOptions(fuzzedOptions(random, prompt), 2);
      if (checked.ok) {
        const { options, takes } = checked;
        const instrumentsOk = options.instruments?.every((id) => whole(id, 0, 127) || id === DRUMS) ?? true;
        const keyOk = !options.key || whole(options.key.tonic, 0, 11);
        const ok = whole(takes, 1, MAX_TAKES) && (options.bpm === undefined || whole(options.bpm, MIN_BPM, MAX_BPM))
          && (options.bars === undefined || whole(options.bars, 1, MAX_BARS)) && (options.seed === undefined || whole(options.seed, 0, 0xffffffff))
          && instrumentsOk && keyOk;
        if (!ok) expect.fail(`${JSON.stringify(prompt)} gave options ${JSON.stringify(checked)}`);
      } else if (!(checked.error.length > 0 && checked.error.length <= DISCORD_MESSAGE_CHARS)) {
        expect.fail(`${JSON.stringify(prompt)}: option refusal of ${checked.error.length} characters`);
      }
    }
    // The generator must reach both sides, or the test proves little.
    expect(refused).toBeGreaterThan(count / 20);
    expect(count - refused).toBeGreaterThan(count / 20);
  }, 60_000);
});
