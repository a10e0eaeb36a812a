import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analysis, InstrumentSummary } from '../src/analysis/analysis.ts';
import type { ChordSpan } from '../src/analysis/chords.ts';
import { analyzeScore } from '../src/analysis/analysis.ts';
import { captionFacts, progressionOf } from '../src/text/caption-facts.ts';
import { composeCaptions, writeCaptions, type Caption, type CaptionInput } from '../src/text/captions.ts';
import { TIME_SIGNATURES } from '../src/music/grid.ts';
import { readMidi } from '../src/music/midi.ts';
import { parsePrompt, type PromptAttributes } from '../src/text/prompt.ts';
import { createRandom, type Random } from '../src/music/random.ts';
import { DRUMS } from '../src/music/score.ts';
import { LENGTH_WORDS, TEMPO_WORDS } from '../src/text/words.ts';
import { DATA_DIR, sampleMidi, withoutData } from './helpers/data.ts';

const ROOTS = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const SUFFIXES = ['', 'm', '7', 'm7', 'maj7', 'sus4', 'sus2', 'dim', 'aug', 'm7b5', 'dim7'];
const COMMON_PROGRAMS = [0, 0, 4, 24, 25, 26, 27, 29, 30, 32, 33, 38, 40, 42, 48, 52, 56, 61, 65, 73, 80, 81, 89, 11, 46];

/** A made-up but self-consistent analysis: all the shapes the writer meets, including values it must not state. */
function syntheticAnalysis(random: Random): Analysis {
  const bpm = random.chance(0.08) ? random.pick([5, 12, 300, 420]) : 20 + random.int(280);
  const timeSignature: [number, number] = random.chance(0.1) ? [random.pick([10, 11, 13]), 8] : [...random.pick(TIME_SIGNATURES)] as [number, number];
  const key = random.chance(0.15) ? null : { tonic: random.int(12), mode: random.pick(['major', 'minor'] as const) };
  const hasDrums = random.chance(0.6);
  const instruments: InstrumentSummary[] = [];
  for (let i = random.int(6); i > 0; i--) {
    const id = random.chance(0.7) ? random.pick(COMMON_PROGRAMS) : random.int(128);
    if (!instruments.some((instrument) => instrument.id === id)) instruments.push({ id, name: '', family: '', notes: 1 + random.int(500) });
  }
  if (hasDrums) instruments.push({ id: DRUMS, name: 'drums', family: 'drums', notes: 1 + random.int(800) });
  const chords: ChordSpan[] = [];
  const loop = Array.from({ length: 2 + random.int(4) }, () => ROOTS[random.int(12)] + random.pick(SUFFIXES));
  const spans = random.int(24);
  for (let i = 0; i < spans; i++) chords.push({ tick: i * 48, bar: i, root: 0, quality: 'maj', symbol: random.chance(0.8) ? loop[i % loop.length] : random.pick(ROOTS) });
  const bars = random.chance(0.1) ? random.pick([0, 65, 120]) : 1 + random.int(64);
  return {
    bpm, tempoChanges: 0, timeSignature, key, keyConfidence: random.next(), chords, instruments,
    families: [], hasDrums, noteDensity: 5, polyphony: 2, pitchRange: key ? { low: 40, high: 80 } : null, meanVelocity: 80,
    bars, seconds: (bars * timeSignature[0] * (4 / timeSignature[1]) * 60) / Math.max(bpm, 1),
  };
}

const LABEL_SETS: Array<{ labels: CaptionInput['labels']; genres: string[]; moods: string[] }> = [
  { labels: {}, genres: [], moods: [] },
  { labels: { genre: 'rap_hip_hop', moods: ['Sad'] }, genres: ['hip hop'], moods: ['sad'] },
  { labels: { genre: 'rnb_soul', moods: ['Joyful', 'Triumphant'] }, genres: ['rnb', 'soul'], moods: ['happy', 'triumphant'] },
  { labels: { genre: 'classic', title: 'Tennessee Waltz', artist: 'Major Lazer' }, genres: ['classical'], moods: [] },
  { labels: { genre: 'rock', styles: ['metal', 'rock band'], artist: 'Chet Atkins', title: 'Main Street Breakdown' }, genres: ['rock', 'metal'], moods: [] },
  { labels: { styles: ['funk/purdieshuffle', 'latin/brazilian-baiao'], moods: ['Relaxed', 'Mysterious'] }, genres: ['funk', 'latin', 'samba'], moods: ['calm', 'mysterious'] },
  { labels: { styles: ['waltzes', 'jigs', 'chiptune', 'lofi'], moods: ['Nostalgic', 'Dark'] }, genres: ['waltz', 'jig', 'chiptune', 'lofi'], moods: ['nostalgic', 'dark'] },
  { labels: { source: 'vgmusic', title: "FF7 - Aerith's Theme", moods: ['intense', 'epic'] }, genres: ['video game'], moods: ['intense', 'epic'] },
  { labels: { genre: 'jazz', styles: ['medium swing', 'ballad', 'drum and bass'], moods: ['Romantic', 'chill'] }, genres: ['jazz', 'swing', 'ballad', 'drum and bass'], moods: ['romantic', 'chill'] },
];

function sameKey(a: { tonic: number; mode: string } | undefined | null, b: { tonic: number; mode: string } | undefined | null): boolean {
  return !!a && !!b && a.tonic === b.tonic && a.mode === b.mode;
}

/** What the parser read back from a caption that contradicts the piece; [] when everything it read is true. */
function contradictions(read: PromptAttributes, analysis: Analysis, genres: string[], moods: string[]): string[] {
  const problems: string[] = [];
  if (read.bpm !== undefined && read.bpm !== analysis.bpm) problems.push(`bpm ${read.bpm} != ${analysis.bpm}`);
  if (read.tempoRange && (analysis.bpm < read.tempoRange[0] || analysis.bpm > read.tempoRange[1])) problems.push(`tempo range ${read.tempoRange} misses ${analysis.bpm}`);
  if (read.key && !sameKey(read.key, analysis.key)) problems.push(`key ${JSON.stringify(read.key)} != ${JSON.stringify(analysis.key)}`);
  if (read.mode && read.mode !== analysis.key?.mode) problems.push(`mode ${read.mode}`);
  if (read.timeSignature && read.timeSignature.join('/') !== analysis.timeSignature.join('/')) problems.push(`meter ${read.timeSignature}`);
  const ids = analysis.instruments.map((instrument) => instrument.id);
  for (const id of read.instruments ?? []) if (!ids.includes(id)) problems.push(`instrument ${id} not in ${ids}`);
  if (read.drums !== undefined && read.drums !== analysis.hasDrums) problems.push(`drums ${read.drums}`);
  if (read.lengthWord) {
    const [low, high] = LENGTH_WORDS[read.lengthWord].range;
    if (analysis.bars < low || analysis.bars > high) problems.push(`length word ${read.lengthWord} for ${analysis.bars} bars`);
  } else if (read.bars !== undefined && read.bars !== analysis.bars) problems.push(`bars ${read.bars} != ${analysis.bars}`);
  if (read.seconds !== undefined && Math.abs(read.seconds - analysis.seconds) > 3) problems.push(`seconds ${read.seconds} vs ${analysis.seconds.toFixed(1)}`);
  for (const genre of read.genres ?? []) if (!genres.includes(genre)) problems.push(`genre ${genre}`);
  for (const mood of read.moods ?? []) if (!moods.includes(mood)) problems.push(`mood ${mood}`);
  return problems;
}

/** What a caption states that the parser did not read back. */
function missed(caption: Caption, read: PromptAttributes): string[] {
  const { stated } = caption;
  const problems: string[] = [];
  if (stated.bpm !== undefined && read.bpm !== stated.bpm) problems.push(`bpm ${stated.bpm}`);
  if (stated.tempoWord && read.tempoWord !== stated.tempoWord) problems.push(`tempo word ${stated.tempoWord}`);
  if (stated.key && !sameKey(read.key, stated.key)) problems.push(`key ${JSON.stringify(stated.key)}`);
  if (stated.mode && read.mode !== stated.mode) problems.push(`mode ${stated.mode}`);
  if (stated.timeSignature && read.timeSignature?.join('/') !== stated.timeSignature.join('/')) problems.push(`meter ${stated.timeSignature}`);
  for (const id of stated.instruments) if (!read.instruments?.includes(id)) problems.push(`instrument ${id}`);
  if (stated.drums !== undefined && read.drums !== stated.drums) problems.push(`drums ${stated.drums}`);
  if (stated.bars !== undefined && read.bars !== stated.bars) problems.push(`bars ${stated.bars}`);
  if (stated.seconds !== undefined && read.seconds !== stated.seconds) problems.push(`seconds ${stated.seconds}`);
  if (stated.lengthWord && read.lengthWord !== stated.lengthWord) problems.push(`length word ${stated.lengthWord}`);
  for (const genre of stated.genres) if (!read.genres?.includes(genre)) problems.push(`genre ${genre}`);
  for (const mood of stated.moods) if (!read.moods?.includes(mood)) problems.push(`mood ${mood}`);
  return problems;
}

function checkCaptions(input: CaptionInput & { analysis: Analysis }, genres: string[], moods: string[], seed: number, count: number) {
  const failures: string[] = [];
  const captions = composeCaptions(input, { seed, count });
  for (const caption of captions) {
    const parsed = parsePrompt(caption.text);
    if (!parsed.ok) {
      failures.push(`${caption.text}\n  error: ${parsed.error}`);
      continue;
    }
    const problems = [...contradictions(parsed.attributes, input.analysis, genres, moods), ...missed(caption, parsed.attributes).map((p) => `missed ${p}`)];
    if (problems.length) failures.push(`${caption.text}\n  ${problems.join('; ')}`);
  }
  return { captions, failures };
}

describe('writeCaptions', () => {
  const random = createRandom(7);
  const inputs = Array.from({ length: 300 }, (_, i) => ({ analysis: syntheticAnalysis(random), ...LABEL_SETS[i % LABEL_SETS.length] }));

  it('is deterministic for a seed and differs between seeds', () => {
    const input = { analysis: inputs[1].analysis, labels: inputs[1].labels };
    expect(writeCaptions(input, { seed: 42, count: 8 })).toEqual(writeCaptions(input, { seed: 42, count: 8 }));
    expect(writeCaptions(input, { seed: 42, count: 8 })).not.toEqual(writeCaptions(input, { seed: 43, count: 8 }));
  });

  it('states only what the parser reads back, and nothing the piece contradicts', () => {
    const failures: string[] = [];
    let total = 0;
    inputs.forEach(({ analysis, labels, genres, moods }, i) => {
      const result = checkCaptions({ analysis, labels }, genres, moods, 1000 + i, 8);
      total += result.captions.length;
      failures.push(...result.failures);
    });
    expect(failures.slice(0, 10)).toEqual([]);
    expect(total).toBeGreaterThan(300 * 7);
  });

  it('writes distinct captions from one-liners to paragraphs', () => {
    const { analysis, labels } = inputs.find((input) => input.analysis.key && input.analysis.instruments.length >= 3 && input.analysis.bpm <= 299 && input.labels?.genre)!;
    const captions = composeCaptions({ analysis, labels }, { seed: 5, count: 12 });
    expect(captions).toHaveLength(12);
    expect(new Set(captions.map((caption) => caption.text)).size).toBe(12);
    expect(new Set(captions.map((caption) => caption.style))).toEqual(new Set(['terse', 'tags', 'sentence', 'paragraph']));
    const lengths = captions.map((caption) => caption.text.length).sort((a, b) => a - b);
    expect(lengths[0]).toBeLessThan(60);
    expect(lengths[lengths.length - 1]).toBeGreaterThan(150);
  });

  it('varies how the same facts are written', () => {
    const analysis = inputs.map((input) => input.analysis).find((a) => a.bpm >= 60 && a.bpm <= 180 && a.key && a.instruments.length >= 2)!;
    const texts = Array.from({ length: 40 }, (_, seed) => writeCaptions({ analysis }, { seed, count: 4 })).flat().join('\n');
    const bpmForms = [`${analysis.bpm}bpm`, `${analysis.bpm} BPM`, `♩=${analysis.bpm}`, `tempo ${analysis.bpm}`, `${analysis.bpm} beats per minute`];
    expect(bpmForms.filter((form) => texts.includes(form)).length).toBeGreaterThanOrEqual(4);
    const tempoWords = Object.keys(TEMPO_WORDS).filter((word) => new RegExp(`\\b${word}\\b`).test(texts));
    expect(tempoWords.length).toBeGreaterThanOrEqual(1);
  });

  it('never states a key below the confidence floor, a tempo out of range or an unsupported meter', () => {
    const analysis = syntheticAnalysis(createRandom(3));
    const weak = { ...analysis, keyConfidence: 0.1, bpm: 400, timeSignature: [11, 8] as [number, number] };
    const facts = captionFacts({ analysis: weak });
    expect([facts.key, facts.bpm, facts.meter]).toEqual([undefined, undefined, undefined]);
    for (const caption of composeCaptions({ analysis: weak }, { seed: 1, count: 20 })) {
      expect(caption.stated.key).toBeUndefined();
      expect(caption.text).not.toMatch(/\b400\b|11\/8/);
    }
  });

  it('names a repeating progression only when it repeats', () => {
    const spans = (symbols: string[]) => symbols.map((symbol, i) => ({ tick: i * 48, bar: i, root: 0, quality: 'maj' as const, symbol }));
    expect(progressionOf(spans(['Dm', 'Dm', 'Bb', 'F', 'C', 'Dm', 'Bb', 'F', 'C']))).toEqual({ symbols: ['Dm', 'Bb', 'F', 'C'], repeats: true, opening: false });
    expect(progressionOf(spans(['Am', 'F', 'C', 'G', 'E7', 'Am']))).toEqual({ symbols: ['Am', 'F', 'C', 'G'], repeats: false, opening: true });
    expect(progressionOf(spans(['C']))).toBeUndefined();
  });
});

describe.skipIf(withoutData())('writeCaptions on real files', () => {
  it('captions freemidi songs with their CSV labels, and every caption parses back consistently', async () => {
    const manifest = readFileSync(path.join(DATA_DIR, 'multitrack/freemidi.csv'), 'utf8').split('\n').slice(1);
    const labelsByMember = new Map<string, { genre: string; artist: string; title: string }>();
    for (const line of manifest) {
      const [member, , , genre, artist, title] = line.split(',');
      if (member) labelsByMember.set(member, { genre, artist, title });
    }
    const genresOf: Record<string, string[]> = {
      rock: ['rock'], pop: ['pop'], country: ['country'], classical: ['classical'], classic: ['classical'],
      rap_hip_hop: ['hip hop'], jazz: ['jazz'], rnb_soul: ['rnb', 'soul'],
    };
    const members = await sampleMidi('multitrack/freemidi.tar.gz', 40);
    let files = 0;
    let captions = 0;
    let withGenre = 0;
    const failures: string[] = [];
    for (const member of members) {
      let analysis: Analysis;
      try {
        analysis = analyzeScore(readMidi(member.bytes));
      } catch {
        continue;
      }
      const labels = labelsByMember.get(member.name);
      expect(labels, member.name).toBeDefined();
      files += 1;
      const result = checkCaptions({ analysis, labels: { ...labels, source: 'freemidi' } }, genresOf[labels!.genre] ?? [], [], files, 6);
      captions += result.captions.length;
      withGenre += result.captions.filter((caption) => caption.stated.genres.length > 0).length;
      failures.push(...result.failures);
    }
    expect(files).toBeGreaterThanOrEqual(30);
    expect(captions).toBeGreaterThanOrEqual(files * 5);
    expect(withGenre / captions).toBeGreaterThan(0.4);
    expect(failures.slice(0, 10)).toEqual([]);
  });
});
