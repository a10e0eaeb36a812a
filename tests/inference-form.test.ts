/**
 * Form (src/inference/form.ts, arrangement.ts, form-composer.ts): the plan of sections for a request, the arrangement
 * of the model's bars, and a real compose with the test model whose repeats are the model's own bars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { MotifEngine, type Composition } from '../src/inference/engine.ts';
import { arrange, sectionScore, startsNoteInBar } from '../src/inference/arrangement.ts';
import { composeInForm, openingBars, type WrittenPiece } from '../src/inference/form-composer.ts';
import { resolveRequest, type ResolvedRequest } from '../src/inference/request.ts';
import { extendedForm, formBars, formKind, planForm, restingInstruments, sectionLength, sectionMarks, type Form, type FormSection } from '../src/inference/form.ts';
import { DRUMS, instrumentOf, sliceBars, type Score } from '../src/music/score.ts';
import { parsePrompt, type PromptAttributes } from '../src/text/prompt.ts';
import { validationError } from '../src/tokens/grammar.ts';
import { decodeHeader, decodeScore, encodeScore, headerLength } from '../src/tokens/tokenizer.ts';
import { BAR } from '../src/tokens/vocab.ts';
import { MODEL_DIR, withoutModel } from './helpers/model.ts';

const PIANO = 0;
const ELECTRIC_PIANO = 4;
const BASS = 33;
const STRINGS = 48;

function attributesOf(prompt: string): PromptAttributes {
  const parsed = parsePrompt(prompt);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.attributes;
}

const shape = (form: Form) => form.sections.map((section) => `${section.name}:${section.made}`);

describe('planning a form', () => {
  it('tells loop-based requests from songs by genre, and drums alone as a loop', () => {
    expect(formKind(attributesOf('lo-fi beat 90bpm'))).toBe('loop');
    expect(formKind(attributesOf('dark techno 130bpm'))).toBe('loop');
    expect(formKind(attributesOf('trap beat with 808s at 140'))).toBe('loop');
    expect(formKind(attributesOf('happy pop song in C major'))).toBe('song');
    expect(formKind(attributesOf('sad piano in d minor'))).toBe('song');
    expect(formKind(attributesOf('chill jazz trio, 16 bars'))).toBe('song');
    expect(formKind({ instruments: [], drums: true })).toBe('loop');
  });

  it('gives short sections to short pieces and none to pieces too short to repeat', () => {
    expect(sectionLength('loop', 3)).toBeUndefined();
    expect(sectionLength('loop', 6)).toBe(2);
    expect(sectionLength('loop', 16)).toBe(4);
    expect(sectionLength('song', 7)).toBeUndefined();
    expect(sectionLength('song', 15)).toBe(4);
    expect(sectionLength('song', 32)).toBe(8);
  });

  it('adds the sections up to exactly the bars asked for, one after another, with the first material whole', () => {
    const ensembles = [[PIANO], [ELECTRIC_PIANO, BASS, DRUMS], [DRUMS], [PIANO, STRINGS]];
    for (const kind of ['loop', 'song'] as const) {
      for (let total = 2; total <= 64; total++) {
        const sectionBars = sectionLength(kind, total);
        if (sectionBars === undefined) continue;
        for (const playing of ensembles) {
          const form = planForm(kind, total, sectionBars, playing);
          const where = `${kind} ${total} bars, ${playing.join(',')}`;
          expect(formBars(form), where).toBe(total);
          let next = 1;
          for (const section of form.sections) {
            expect(section.firstBar, where).toBe(next);
            expect(section.bars, where).toBeGreaterThanOrEqual(1);
            expect(section.bars, where).toBeLessThanOrEqual(sectionBars);
            next += section.bars;
          }
          const written = form.sections.filter((section) => section.made === 'written');
          expect(written, where).toHaveLength(1);
          expect(written[0].bars, where).toBe(sectionBars);
          for (const section of form.sections) {
            if (section.made === 'resting') {
              expect(section.resting!.length, where).toBeGreaterThan(0);
              expect(section.resting!.length, where).toBeLessThan(playing.length);
            }
            if (section.made === 'fill' || section.made === 'varied') {
              expect(section.material, where).toBe('A');
              expect(section.keptBars, where).toBeGreaterThanOrEqual(1);
              expect(section.keptBars, where).toBeLessThan(section.bars);
            }
          }
        }
      }
    }
  });

  it('lays a loop out with parts entering, variations and a fill into the outro', () => {
    const lofi = planForm('loop', 16, 4, [ELECTRIC_PIANO, BASS, DRUMS]);
    expect(shape(lofi)).toEqual(['intro:resting', 'loop:written', 'loop:varied', 'loop:fill']);
    expect(lofi.sections[0].resting).toEqual([BASS, DRUMS]);
    expect(lofi.sections.map((section) => section.keptBars)).toEqual([undefined, undefined, 2, 3]);
    const long = planForm('loop', 24, 4, [ELECTRIC_PIANO, BASS, DRUMS]);
    expect(shape(long)).toEqual(['intro:resting', 'loop:written', 'loop:varied', 'loop:fill', 'breakdown:resting', 'outro:resting']);
    expect(long.sections[4].resting).toEqual([DRUMS]);
    expect(long.sections[5].resting).toEqual([BASS, DRUMS]);
    const short = planForm('loop', 6, 2, [DRUMS, ELECTRIC_PIANO].sort((a, b) => a - b));
    expect(shape(short)).toEqual(['intro:resting', 'loop:written', 'loop:varied']);
  });

  it('lays a song out as A A B A, cutting the last section to fit, and varies a solo part by the model', () => {
    const band = planForm('song', 15, 4, [PIANO, BASS, STRINGS, DRUMS]);
    expect(shape(band)).toEqual(['A:written', 'A:fill', 'B:continued', 'A:resting']);
    expect(band.sections.map((section) => section.bars)).toEqual([4, 4, 4, 3]);
    expect(band.sections[3].resting).toEqual([DRUMS]);
    const solo = planForm('song', 16, 4, [PIANO]);
    expect(shape(solo)).toEqual(['A:written', 'A:fill', 'B:continued', 'A:varied']);
    expect(shape(planForm('song', 24, 4, [PIANO, STRINGS]))).toEqual(['A:written', 'A:fill', 'B:continued', 'A:fill', 'B:resting', 'A:resting']);
    expect(shape(planForm('song', 8, 4, [PIANO, STRINGS]))).toEqual(['A:written', 'A:resting']);
  });

  it('rests the rhythm section in an intro and the drums in a breakdown, and nothing when one part plays', () => {
    expect(restingInstruments('entering', [ELECTRIC_PIANO, BASS, DRUMS])).toEqual([BASS, DRUMS]);
    expect(restingInstruments('entering', [BASS, DRUMS])).toEqual([DRUMS]);
    expect(restingInstruments('breakdown', [ELECTRIC_PIANO, BASS, DRUMS])).toEqual([DRUMS]);
    expect(restingInstruments('breakdown', [PIANO, BASS])).toEqual([BASS]);
    expect(restingInstruments('breakdown', [PIANO, STRINGS])).toEqual([STRINGS]);
    expect(restingInstruments('breakdown', [PIANO])).toEqual([]);
  });

  it('adds an extension as a section of its own, and marks each section for the picture', () => {
    const song = planForm('song', 16, 4, [PIANO, DRUMS]);
    const extended = extendedForm(song, 16, 20);
    expect(extended.sections.at(-1)).toEqual({ name: 'C', firstBar: 17, bars: 4, made: 'continued', material: 'C' });
    expect(sectionMarks(song)).toEqual([
      { firstBar: 1, label: 'A' }, { firstBar: 5, label: 'A · fill' }, { firstBar: 9, label: 'B' }, { firstBar: 13, label: 'A · thinned' },
    ]);
  });
});

/** A two-bar score in 4/4: piano on each beat of bar 1, drums on bar 2, bass in both. */
function twoBars(): Score {
  const note = (onset: number, pitch: number) => ({ onset, duration: 12, pitch, velocity: 84 });
  return {
    tempos: [{ tick: 0, bpm: 100 }],
    timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
    tracks: [
      { program: PIANO, isDrum: false, name: 'piano', notes: [note(0, 60), note(12, 64), note(24, 67), note(36, 72)] },
      { program: BASS, isDrum: false, name: 'bass', notes: [note(0, 36), note(48, 38)] },
      { program: 0, isDrum: true, name: 'drums', notes: [note(48, 36), note(60, 38)] },
    ],
  };
}

describe('arranging the model\'s bars', () => {
  it('moves each section to its bar, leaves resting parts out, and keeps every note otherwise as it was', () => {
    const material = twoBars();
    const piece = arrange([
      { firstBar: 1, score: sectionScore(material, 2, [BASS, DRUMS]) },
      { firstBar: 3, score: sectionScore(material, 2) },
      { firstBar: 5, score: sectionScore(material, 1) },
    ], [4, 4], 100);
    expect(piece.tracks.map(instrumentOf)).toEqual([PIANO, BASS, DRUMS]);
    const piano = piece.tracks[0].notes.map((note) => note.onset);
    expect(piano).toEqual([0, 12, 24, 36, 96, 108, 120, 132, 192, 204, 216, 228]);
    expect(piece.tracks[1].notes.map((note) => note.onset)).toEqual([96, 144, 192]);
    expect(piece.tracks[2].notes.map((note) => note.onset)).toEqual([144, 156]);
    // The arranged piece tokenizes and reads back as the same notes.
    expect(decodeScore(encodeScore(piece, { key: null, bars: 5 })).tracks.map((track) => track.notes)).toEqual(piece.tracks.map((track) => track.notes));
    expect(startsNoteInBar(sectionScore(material, 2, [PIANO, BASS]), 0)).toBe(false);
    expect(startsNoteInBar(sectionScore(material, 2, [PIANO, BASS]), 1)).toBe(true);
  });

  it('takes a sequence\'s opening bars as forced body tokens', () => {
    const tokens = encodeScore(twoBars(), { key: null, bars: 2 });
    const one = openingBars(tokens, 1);
    expect(one[0]).toBe(BAR);
    expect(one.filter((id) => id === BAR)).toHaveLength(1);
    expect(openingBars(tokens, 2).filter((id) => id === BAR)).toHaveLength(2);
  });
});

/** `bars` bars in 4/4 at 90 BPM: electric piano on every beat (a pitch per bar), bass on beat 1, drums on 2 and 4. */
function loopMaterial(bars: number, pitchBase = 60): Score {
  const note = (onset: number, pitch: number) => ({ onset, duration: 6, pitch, velocity: 84 });
  const each = (make: (bar: number) => ReturnType<typeof note>[]) => Array.from({ length: bars }, (_, bar) => make(bar)).flat();
  return {
    tempos: [{ tick: 0, bpm: 90 }],
    timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
    tracks: [
      { program: ELECTRIC_PIANO, isDrum: false, name: 'keys', notes: each((bar) => [0, 12, 24, 36].map((beat) => note(bar * 48 + beat, pitchBase + bar))) },
      { program: BASS, isDrum: false, name: 'bass', notes: each((bar) => [note(bar * 48, 36 + bar)]) },
      { program: 0, isDrum: true, name: 'drums', notes: each((bar) => [note(bar * 48 + 12, 38), note(bar * 48 + 36, 38)]) },
    ],
  };
}

describe('composing in form with a stand-in for the model', () => {
  const defaults = { sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 3 }, maxTokens: 4096, timeoutMs: 60_000, defaultMaxBars: 16 };
  const key = { tonic: 0, mode: 'major' as const };

  /**
   * Answers the first section's takes with `takes` (by the order of their seeds) and every later call as `later` says,
   * recording what each was asked.
   */
  function standIn(later: (request: ResolvedRequest, forced: number[]) => WrittenPiece, takes = [loopMaterial(4), loopMaterial(4)]) {
    const asked: Array<{ bars: number | undefined; forced: number[]; seed: number; mustPlay: number[] }> = [];
    const write = async (request: ResolvedRequest, forced: number[]): Promise<WrittenPiece> => {
      asked.push({ bars: request.spec.bars ?? request.spec.barsRange[1], forced, seed: request.seed, mustPlay: request.mustPlay });
      if (forced.length === 0) {
        expect(request.spec).toMatchObject({ bars: 4, steady: true });
        const take = asked.filter((call) => call.forced.length === 0).length - 1;
        return { tokens: encodeScore(takes[take], { key, bars: 4 }), finish: 'eos' };
      }
      return later(request, forced);
    };
    return { asked, write };
  }

  /** Four bars of one whole-note triad and its root in the bass. */
  function triadBars(root: number): Score {
    const whole = (onset: number, pitch: number) => ({ onset, duration: 48, pitch, velocity: 84 });
    const bars = [0, 48, 96, 144];
    return {
      tempos: [{ tick: 0, bpm: 90 }],
      timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }],
      tracks: [
        { program: PIANO, isDrum: false, name: 'piano', notes: bars.flatMap((at) => [0, 4, 7].map((step) => whole(at, root + 60 + step))) },
        { program: BASS, isDrum: false, name: 'bass', notes: bars.map((at) => whole(at, root + 36)) },
      ],
    };
  }

  it('writes two takes of the first section at once and keeps the one in the key its header states', async () => {
    const resolved = resolveRequest({ prompt: 'pop song with piano and bass in C major', bars: 8, seed: 3 }, defaults);
    const { asked, write } = standIn(() => ({ tokens: [], finish: 'deadline' }), [triadBars(6), triadBars(0)]);
    const formed = (await composeInForm(resolved, write))!;
    const firstCalls = asked.filter((call) => call.forced.length === 0);
    expect(firstCalls).toHaveLength(2);
    expect(firstCalls[0].seed).toBe(3);
    expect(firstCalls[1].seed).not.toBe(3);
    // Every instrument the header chooses must play in the first section: the rest of the piece is made of it.
    expect(firstCalls[0].mustPlay).toEqual(Array.from({ length: DRUMS + 1 }, (_, id) => id));
    expect(barsAt(decodeScore(formed.tokens), 1, 4)).toEqual(barsAt(triadBars(0), 1, 4));
    // With neither take in its key, the first one (the request's own seed) is kept.
    const neither = standIn(() => ({ tokens: [], finish: 'deadline' }), [triadBars(6), triadBars(1)]);
    expect(barsAt(decodeScore((await composeInForm(resolved, neither.write))!.tokens), 1, 4)).toEqual(barsAt(triadBars(6), 1, 4));
  });

  it('asks the model for each rewrite after the material\'s opening bars, and places what it wrote', async () => {
    const resolved = resolveRequest({ prompt: 'lo-fi beat with electric piano and bass, 90 bpm, with drums', bars: 16, seed: 3 }, defaults);
    // The stand-in "rewrites" by writing the forced bars again and then bars of its own, an octave up.
    const { asked, write } = standIn((request, forced) => {
      const header = decodeHeader(forced);
      const kept = forced.slice(headerLength(forced)).filter((id) => id === BAR).length - 1;
      const own = loopMaterial(header.bars, 72);
      const opening = sliceBars(loopMaterial(4), 0, kept);
      const later = sliceBars(own, kept, header.bars - kept);
      const tracks = opening.tracks.map((track, index) => ({ ...track, notes: [...track.notes, ...later.tracks[index].notes.map((n) => ({ ...n, onset: n.onset + kept * 48 }))] }));
      return { tokens: encodeScore({ ...opening, tracks }, { key, bars: header.bars }), finish: 'eos' };
    });
    const formed = (await composeInForm(resolved, write))!;
    expect(shape(formed.form)).toEqual(['intro:resting', 'loop:written', 'loop:varied', 'loop:fill']);
    // The first section's two takes, then the varied half and the fill in one round, each forced with the opening bars it keeps.
    expect(asked.map(({ bars, forced }) => [bars, forced.filter((id) => id === BAR).length])).toEqual([[4, 0], [4, 0], [4, 3], [4, 4]]);
    const piece = decodeScore(formed.tokens);
    expect(decodeHeader(formed.tokens).bars).toBe(16);
    const material = loopMaterial(4);
    expect(barsAt(piece, 5, 4)).toEqual(barsAt(material, 1, 4));
    expect(barsAt(piece, 1, 4)).toEqual(without(barsAt(material, 1, 4), [BASS, DRUMS]));
    expect(barsAt(piece, 9, 2)).toEqual(barsAt(material, 1, 2));
    expect(barsAt(piece, 11, 2)).toEqual(barsAt(loopMaterial(4, 72), 3, 2));
    expect(barsAt(piece, 13, 3)).toEqual(barsAt(material, 1, 3));
    expect(barsAt(piece, 16, 1)).toEqual(barsAt(loopMaterial(4, 72), 4, 1));
  });

  it('makes a section whose call a limit stopped a copy, so the piece keeps its length', async () => {
    const resolved = resolveRequest({ prompt: 'pop song with piano and strings', bars: 16, seed: 3 }, defaults);
    const { write } = standIn(() => ({ tokens: [], finish: 'deadline' }));
    const formed = (await composeInForm(resolved, write))!;
    expect(shape(formed.form)).toEqual(['A:written', 'A:copy', 'A:copy', 'A:resting']);
    expect(formed.pieces).toHaveLength(2);
    const piece = decodeScore(formed.tokens);
    expect(decodeHeader(formed.tokens).bars).toBe(16);
    for (const firstBar of [5, 9]) expect(barsAt(piece, firstBar, 4)).toEqual(barsAt(piece, 1, 4));
  });
});

describe('MOTIF_FORM', () => {
  it('is on unless set to off', () => {
    expect(loadConfig({}, '/nonexistent/.env').form).toBe(true);
    expect(loadConfig({ MOTIF_FORM: 'off' }, '/nonexistent/.env').form).toBe(false);
    expect(() => loadConfig({ MOTIF_FORM: 'maybe' }, '/nonexistent/.env')).toThrow(/MOTIF_FORM/);
  });
});

/** The notes of `bars` bars from `firstBar` (1-based), per instrument, from tick 0. */
function barsAt(score: Score, firstBar: number, bars: number): Map<number, unknown[]> {
  return new Map(sliceBars(score, firstBar - 1, bars).tracks.map((track) => [instrumentOf(track), track.notes]));
}

function without(notes: Map<number, unknown[]>, resting: readonly number[]): Map<number, unknown[]> {
  return new Map([...notes].filter(([id]) => !resting.includes(id)));
}

/** Checks every section that repeats the model's bars against the bars it repeats. */
function expectRepeatsAreCopies(piece: Composition): { copied: number; rewritten: number } {
  const { sections } = piece.form!;
  const firstOf = (material: string) => sections.find((section) => section.material === material && (section.made === 'written' || section.made === 'continued'))!;
  let copied = 0;
  let rewritten = 0;
  for (const section of sections) {
    const source = firstOf(section.material);
    const where = `${section.name} at bar ${section.firstBar} (${section.made})`;
    if (section.made === 'copy' || section.made === 'resting') {
      const expected = without(barsAt(piece.score, source.firstBar, section.bars), section.resting ?? []);
      expect(barsAt(piece.score, section.firstBar, section.bars), where).toEqual(expected);
      copied += 1;
    }
    if (section.made === 'fill' || section.made === 'varied') {
      expect(barsAt(piece.score, section.firstBar, section.keptBars!), where).toEqual(barsAt(piece.score, source.firstBar, section.keptBars!));
      rewritten += 1;
    }
  }
  return { copied, rewritten };
}

describe.skipIf(withoutModel())('composing in form with the model', () => {
  let engine: MotifEngine;
  beforeAll(async () => {
    engine = await MotifEngine.load({
      modelDir: MODEL_DIR, device: 'cpu', threads: 1, maxBatch: 8, maxTokens: 4096, requestTimeoutMs: 60_000,
      sampling: { temperature: 1, topK: 0, topP: 0.95, guidance: 3 }, defaultMaxBars: 16, form: true,
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('records a loop\'s sections, whose repeats are the model\'s bars, and states the bars asked for', async () => {
    const pieces = await Promise.all([1, 2, 3].map((seed) => engine.compose({ prompt: 'lo-fi beat with electric piano and bass, 90 bpm, with drums', bars: 16, seed })));
    let copied = 0;
    let rewritten = 0;
    for (const piece of pieces) {
      expect(validationError(piece.tokens)).toBeUndefined();
      expect(piece.form?.kind).toBe('loop');
      expect(piece.header.bars).toBe(16);
      expect(piece.tokens.filter((id) => id === BAR)).toHaveLength(16);
      expect(formBars(piece.form!)).toBe(16);
      expect(piece.form!.sections.map((section) => section.name)).toEqual(['intro', 'loop', 'loop', 'loop']);
      const counts = expectRepeatsAreCopies(piece);
      copied += counts.copied;
      rewritten += counts.rewritten;
    }
    expect(copied).toBeGreaterThan(0);
    expect(rewritten).toBeGreaterThan(0);
  });

  it('writes a song\'s second section after the first and fits a length in seconds exactly', async () => {
    const piece = await engine.compose({ prompt: 'pop song with piano, strings and drums at 120 bpm', seconds: 30, seed: 5 });
    expect(validationError(piece.tokens)).toBeUndefined();
    expect(piece.header.bars).toBe(15);
    expect(piece.form!.kind).toBe('song');
    expect(piece.form!.sections.map((section) => [section.name, section.firstBar, section.bars])).toEqual([['A', 1, 4], ['A', 5, 4], ['B', 9, 4], ['A', 13, 3]]);
    expect(piece.form!.sections[2].made).toBe('continued');
    expectRepeatsAreCopies(piece);
    // The new section is the model's own, not a copy of the first.
    expect(barsAt(piece.score, 9, 4)).not.toEqual(barsAt(piece.score, 1, 4));
    expect(piece.timings.tokens).toBe(piece.tokens.length);
  });

  it('writes in one pass when form is off or the piece is too short, as before', async () => {
    const request = { prompt: 'lo-fi beat 90bpm', bars: 16, seed: 7 };
    const single = await engine.compose({ ...request, form: false });
    expect(single.form).toBeUndefined();
    expect(single.header.bars).toBe(16);
    expect((await engine.compose(request)).tokens).not.toEqual(single.tokens);
    expect((await engine.compose({ prompt: 'sad piano, 4 bars', seed: 7 })).form).toBeUndefined();
  });

  it('varies and extends a piece in form: the extension keeps every bar and adds a section', async () => {
    const piece = await engine.compose({ prompt: 'house track 124 bpm with bass and drums', bars: 16, seed: 11 });
    expect(piece.form).toBeDefined();
    const longer = await engine.extend(piece, 4);
    expect(validationError(longer.tokens)).toBeUndefined();
    expect(longer.header.bars).toBe(20);
    expect(barsAt(longer.score, 1, 16)).toEqual(barsAt(piece.score, 1, 16));
    expect(longer.form!.sections.slice(0, -1)).toEqual(piece.form!.sections);
    expect(longer.form!.sections.at(-1)).toMatchObject({ firstBar: 17, bars: 4, made: 'continued' } satisfies Partial<FormSection>);
    const faster = await engine.vary(piece, 'faster');
    expect(validationError(faster.tokens)).toBeUndefined();
    expect(faster.header.bpm).toBeGreaterThan(piece.header.bpm);
    expect(faster.header.bars).toBe(16);
  });
});
