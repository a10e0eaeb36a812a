import { describe, expect, it } from 'vitest';
import { readArchive, readArchiveMember } from '../src/dataset/archive.ts';
import { measureMoodAgreement } from '../src/dataset/mood-agreement.ts';
import { analyzeScore } from '../src/analysis/analysis.ts';
import { readMidi } from '../src/music/midi.ts';
import { inferMoods, inferValenceArousal, moodsFromTitle, moodsFromValenceArousal } from '../src/analysis/moods.ts';
import { readMxl } from '../src/music/musicxml.ts';
import type { Score } from '../src/music/score.ts';
import { inferStyles } from '../src/analysis/styles.ts';
import { MOODS } from '../src/text/words.ts';
import { DATA_DIR, archivePath, fixtureMidi, fixturePath, sampleMidi, withoutData } from './helpers/data.ts';

const analyze = (bytes: Uint8Array) => analyzeScore(readMidi(bytes));

function withPrograms(score: Score, program: (current: number) => number): Score {
  return { ...score, tracks: score.tracks.map((track) => (track.isDrum ? track : { ...track, program: program(track.program) })) };
}

describe.skipIf(withoutData())('mood agreement with VGMIDI', () => {
  // Measured (docs/MOODS.md): pieces arousal 83.3%, valence 58.3% (balanced 62.5%), quadrant 47.5%;
  // phrases arousal 78.9%, valence 61.3%, quadrant 47.1%; majority baselines 56.4% / 67.6% / 37.3%.
  it('infers arousal well above the majority baseline, valence weakly, on the whole pieces', async () => {
    const result = await measureMoodAgreement(DATA_DIR, 'pieces');
    expect(result.labelled).toBe(204);
    expect(result.unusable).toBe(0);
    expect(result.arousal.rate).toBeGreaterThan(0.78);
    expect(result.arousal.rate).toBeGreaterThan(result.arousal.majorityBaseline + 0.2);
    expect(result.valence.balanced).toBeGreaterThan(0.58);
    expect(result.quadrant.rate).toBeGreaterThan(0.43);
    expect(result.quadrant.rate).toBeGreaterThan(result.quadrant.majorityBaseline + 0.05);
    expect(result.positiveWhenMajor.share).toBeGreaterThan(0.75);
  });

  it('agrees on the labelled phrases too', async () => {
    const result = await measureMoodAgreement(DATA_DIR, 'phrases');
    expect(result.labelled).toBe(204);
    expect(result.arousal.rate).toBeGreaterThan(0.74);
    expect(result.valence.rate).toBeGreaterThan(0.56);
    expect(result.quadrant.rate).toBeGreaterThan(0.42);
  });
});

describe('moods', () => {
  it('maps human valence and arousal to the four quadrants', () => {
    expect(moodsFromValenceArousal(1, 1)).toEqual(['happy', 'energetic']);
    expect(moodsFromValenceArousal(-1, 1)).toEqual(['tense', 'dark']);
    expect(moodsFromValenceArousal(1, -1)).toEqual(['calm', 'peaceful']);
    expect(moodsFromValenceArousal(-1, -1)).toEqual(['sad', 'melancholic']);
    expect(moodsFromValenceArousal(0, 0.9)).toEqual(['energetic']);
    expect(moodsFromValenceArousal(-0.8, 0.1)).toEqual(['sad']);
  });

  it('only says words the prompt vocabulary knows, on real files of every kind', async () => {
    const files = [
      ...(await fixtureMidi('multitrack/freedoom.tar.gz', 40)),
      ...(await fixtureMidi('parts/pop909.tar.gz', 10)),
      ...(await fixtureMidi('parts/groove.tar.gz', 10)),
    ];
    const seen = new Set<string>();
    for (const file of files) for (const mood of inferMoods(analyze(file.bytes), { title: file.name })) seen.add(mood);
    for (const mood of seen) expect(Object.keys(MOODS)).toContain(mood);
    expect(seen.size).toBeGreaterThan(6);
  });

  it('lets human labels and stated moods replace the inferred quadrant', async () => {
    const [file] = await fixtureMidi('multitrack/freedoom.tar.gz', 1);
    const analysis = analyze(file.bytes);
    expect(inferMoods(analysis, { valence: -1, arousal: -1 }).slice(0, 2)).toEqual(['sad', 'melancholic']);
    expect(inferMoods(analysis, { valence: 1, arousal: 1 }).slice(0, 2)).toEqual(['happy', 'energetic']);
    const stated = inferMoods(analysis, { moods: ['romantic'] });
    for (const word of ['happy', 'sad', 'calm', 'tense', 'peaceful', 'melancholic']) expect(stated).not.toContain(word);
  });

  it('hears a drum groove as energetic from 110 BPM and says nothing below', async () => {
    for (const file of await fixtureMidi('parts/groove.tar.gz', 20)) {
      const analysis = analyze(file.bytes);
      expect(inferValenceArousal(analysis)).toEqual({ valence: null, arousal: analysis.bpm >= 110 ? 1 : null });
    }
  });

  it('reads obvious moods from titles', () => {
    expect(moodsFromTitle('Final Boss Battle')).toEqual(['intense']);
    expect(moodsFromTitle("Bowser's Castle")).toEqual(['dark']);
    expect(moodsFromTitle('Kakariko Village')).toEqual(['peaceful']);
    expect(moodsFromTitle('Haunted_Mansion')).toEqual(['spooky']);
    expect(moodsFromTitle('Bossa Nova Vibes')).toEqual([]);
  });
});

describe('styles', () => {
  it('calls POP909 arrangements solo piano, and a square lead re-voicing chiptune', async () => {
    for (const file of await fixtureMidi('parts/pop909.tar.gz', 15)) {
      const score = readMidi(file.bytes);
      expect(inferStyles(analyzeScore(score), { source: 'pop909' })).toEqual(['solo piano']);
      const chip = inferStyles(analyzeScore(withPrograms(score, () => 80)), { source: 'pop909' });
      expect(chip).toContain('chiptune');
      expect(chip).not.toContain('solo piano');
    }
  });

  it.skipIf(withoutData())('finds chiptune in vgmusic files whose melody is on square or saw leads, and loses it when they become flutes', async () => {
    let chiptune = 0;
    for (const file of await sampleMidi('multitrack/vgmusic.tar.gz', 60)) {
      const score = readMidi(file.bytes);
      const styles = inferStyles(analyzeScore(score), { source: 'vgmusic', title: file.name });
      expect(styles).toContain('video game');
      if (!styles.includes('chiptune')) continue;
      chiptune += 1;
      const revoiced = withPrograms(score, (program) => (program === 80 || program === 81 ? 73 : program));
      expect(inferStyles(analyzeScore(revoiced), { source: 'vgmusic' })).not.toContain('chiptune');
    }
    // Measured: 11 of the first 60.
    expect(chiptune).toBeGreaterThanOrEqual(8);
    expect(chiptune).toBeLessThanOrEqual(20);
  });

  it.skipIf(withoutData())('calls most freemidi country songs a band and none of them solo piano', async () => {
    let band = 0;
    let count = 0;
    for await (const file of readArchive(archivePath('multitrack/freemidi.tar.gz'), (name) => name.startsWith('country/'))) {
      const styles = inferStyles(analyze(file.bytes), { source: 'freemidi', genre: 'country' });
      if (styles.includes('band') || styles.includes('rock band')) band += 1;
      expect(styles).not.toContain('solo piano');
      expect(styles).not.toContain('video game');
      if (++count === 40) break;
    }
    // Measured: 33 of 40.
    expect(band).toBeGreaterThanOrEqual(28);
  });

  it('calls Bach chorales choral', async () => {
    let count = 0;
    for await (const file of readArchive(fixturePath('parts/music21-corpus.tar.gz'), (name) => name.includes('/bach/') && name.endsWith('.mxl'))) {
      expect(inferStyles(analyzeScore(readMxl(file.bytes).score), { source: 'music21' })).toContain('choral');
      if (++count === 8) break;
    }
    expect(count).toBe(8);
  });

  it.skipIf(withoutData())('hears a loud orchestral game piece as orchestral and epic', async () => {
    const bytes = await readArchiveMember(archivePath('multitrack/vgmusic.tar.gz'), '(FFT2)R2).mid');
    expect(bytes).toBeDefined();
    const analysis = analyze(bytes!);
    expect(inferStyles(analysis, { source: 'vgmusic' })).toEqual(['orchestral', 'video game']);
    expect(inferMoods(analysis)).toContain('epic');
  });

  it('reads game scenes from titles, but only calls a title a game when it says so or the source is one', async () => {
    const [file] = await fixtureMidi('parts/pop909.tar.gz', 1);
    const analysis = analyze(file.bytes);
    expect(inferStyles(analysis, { source: 'vgmusic', title: 'Final_Boss_Battle' })).toEqual(['solo piano', 'video game', 'boss battle', 'battle']);
    expect(inferStyles(analysis, { source: 'freemidi', title: 'Battle Hymn of the Republic' })).toEqual(['solo piano']);
    expect(inferStyles(analysis, { source: 'freemidi', title: 'Overworld' })).toEqual(['solo piano', 'video game', 'overworld']);
  });
});
