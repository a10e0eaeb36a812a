/**
 * /continue and /restyle end to end: a real MIDI file attached to the slash command (the emulator serves it as
 * Discord's CDN does), the real discord.js client, the real engine (the test model) and real rendering; and the bad
 * files the issue names, each answered with one plain message.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMidi, writeMidi } from '../../src/music/midi.ts';
import { instrumentOf, type Note, type Score } from '../../src/music/score.ts';
import { decodeScore, encodeScore, headerLength } from '../../src/tokens/tokenizer.ts';
import { withoutModel } from '../helpers/model.ts';
import type { EmulatedInteraction, StoredMessage } from './emulator/discord-emulator.ts';
import { BACKENDS, TestStorage, startEmulator, startTestBot, testConfig, type Harness } from './harness.ts';
import { eventually } from './wait.ts';

const FIXTURE = 'tests/fixtures/freedoom-d_map16.mid';
const BAR_TICKS = 48;
/** The melody of the fixture's opening (track 0, GM 28), which /restyle keeps. */
const MELODY = 28;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

/** The fixture's first `bars` bars of 4/4, notes cut at the end. */
function opening(bars: number): Score {
  const score = readMidi(readFileSync(FIXTURE));
  const end = bars * BAR_TICKS;
  return {
    ...score,
    tracks: score.tracks.map((track) => ({
      ...track,
      notes: track.notes.filter((note) => note.onset < end).map((note) => ({ ...note, duration: Math.min(note.duration, end - note.onset) })),
    })),
  };
}

function notesOf(score: Score, instrument: number): string[] {
  const notes: Note[] = score.tracks.filter((track) => instrumentOf(track) === instrument).flatMap((track) => track.notes);
  return notes.map((note) => `${note.onset} ${note.pitch} ${note.duration}`).sort();
}

describe.each(BACKENDS)('on $backend', ({ backend, skip }) => {
  describe.skipIf(withoutModel() || skip())('/continue and /restyle with an attached MIDI file', () => {
    let h: Harness;
    const storage = new TestStorage(backend);
    const emulator = () => h.emulator;
    const alice = () => emulator().user('alice');

    beforeAll(async () => {
      const where = await storage.fresh();
      h = await startTestBot(await startEmulator(), testConfig(where.dbPath, where));
    });

    afterAll(async () => {
      await h?.stop();
      await h?.emulator.stop();
      await storage.drop();
    });

    async function takeOf(interaction: EmulatedInteraction): Promise<StoredMessage> {
      return emulator().waitFor(() => {
        const original = emulator().original(interaction);
        return original && original.message.attachments.length === 3 ? original : undefined;
      }, 120_000, 'a take');
    }

    function midiOf(stored: StoredMessage): Score {
      const attachment = (stored.message.attachments as { id: string; filename: string }[]).find((entry) => entry.filename.endsWith('.mid'));
      return readMidi(stored.files.get(attachment!.id)!.bytes);
    }

    async function ephemeralAnswer(interaction: EmulatedInteraction): Promise<string> {
      const callback = await emulator().waitFor(() => interaction.callback, 10_000, 'an answer');
      expect(callback.type).toBe(4);
      expect(callback.data.flags & 64).toBe(64);
      return callback.data.content as string;
    }

    it('/restyle keeps the melody note for note and posts a take whose other parts are new', async () => {
      const input = opening(4);
      const interaction = emulator().slashCommandWithFile(alice(), 'restyle', { prompt: 'bossa nova with piano and bass' }, 'file', { name: 'sketch.mid', bytes: writeMidi(input) });
      const output = midiOf(await takeOf(interaction));
      const expected = notesOf(decodeScore(encodeScore({ ...input, tracks: [input.tracks[0]] }, { bars: 4 })), MELODY);
      expect(expected.length).toBeGreaterThan(10);
      expect(notesOf(output, MELODY)).toEqual(expected);
      const instruments = new Set(output.tracks.filter((track) => track.notes.length > 0).map(instrumentOf));
      expect(instruments.has(0) && instruments.has(33)).toBe(true);
      const take = await eventually(() => h.bot.store.takeByMessage(emulator().original(interaction)!.message.id), 5_000, 'the take');
      expect(take).toMatchObject({ origin: 'variation', parentTakeId: null });
    });

    it('/continue gives the file back unchanged, then the new bars', async () => {
      const input = opening(4);
      const interaction = emulator().slashCommandWithFile(alice(), 'continue', { bars: 2 }, 'file', { name: 'sketch.mid', bytes: writeMidi(input) });
      const output = midiOf(await takeOf(interaction));
      const body = (score: Score) => {
        const ids = encodeScore(score, { bars: 4, key: null });
        return ids.slice(headerLength(ids));
      };
      expect(body(output)).toEqual(body(input));
      const take = await eventually(() => h.bot.store.takeByMessage(emulator().original(interaction)!.message.id), 5_000, 'the take');
      expect(take).toMatchObject({ origin: 'extension', parentTakeId: null });
      expect(take!.header.bars).toBe(6);
    });

    it('an empty file and a 20 MB file are refused at once, privately; a PNG sent as .mid gets one plain message', async () => {
      expect(await ephemeralAnswer(emulator().slashCommandWithFile(alice(), 'continue', {}, 'file', { name: 'empty.mid', bytes: new Uint8Array() })))
        .toBe('The file is empty.');
      const huge = new Uint8Array(20 * 1024 * 1024);
      expect(await ephemeralAnswer(emulator().slashCommandWithFile(alice(), 'restyle', { prompt: 'jazz' }, 'file', { name: 'huge.mid', bytes: huge })))
        .toBe('The file is 20480 KB; Motif reads MIDI files of up to 1024 KB.');
      const picture = emulator().slashCommandWithFile(alice(), 'continue', {}, 'file', { name: 'cat.mid', bytes: PNG });
      const answer = await emulator().waitFor(() => {
        const content = emulator().original(picture)?.message.content as string | undefined;
        return content === 'The file is not a MIDI file.' ? content : undefined;
      }, 30_000, 'the refusal');
      expect(answer).toBe('The file is not a MIDI file.');
      expect(emulator().followups(picture)).toHaveLength(0);
    });
  });
});
