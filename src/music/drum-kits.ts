/**
 * Drum-kit key maps to General MIDI. The Groove MIDI Dataset was played on a Roland TD-11, whose edge and rim
 * zones send keys that General MIDI does not have (22 closed hi-hat edge, 26 open hi-hat edge, 58 floor-tom rim)
 * or means otherwise (48 is GM's hi-mid tom but the TD-11's high tom); the map follows the dataset's paper
 * (Gillick et al., 2019, table of the kit's GM mapping).
 */
import type { Note } from './score.ts';

export const TD11_TO_GM: Readonly<Record<number, number>> = {
  36: 36, // kick
  38: 38, 40: 38, // snare head, rim
  37: 37, // snare cross-stick
  48: 50, 50: 50, // tom 1 head, rim -> high tom
  45: 47, 47: 47, // tom 2 head, rim -> low-mid tom
  43: 43, 58: 43, // tom 3 head, rim -> high floor tom
  46: 46, 26: 46, // open hi-hat bow, edge
  42: 42, 22: 42, // closed hi-hat bow, edge
  44: 44, // pedal hi-hat
  49: 49, 55: 49, // crash 1 bow, edge
  57: 57, 52: 57, // crash 2 bow, edge
  51: 51, 59: 51, // ride bow, edge
  53: 53, // ride bell
};

/** Notes of a TD-11 performance on GM keys; two hits that land on one key at one tick keep the louder. */
export function td11ToGeneralMidi(notes: readonly Note[]): Note[] {
  const byKey = new Map<string, Note>();
  for (const note of notes) {
    const pitch = TD11_TO_GM[note.pitch] ?? note.pitch;
    const key = `${note.onset}:${pitch}`;
    const existing = byKey.get(key);
    if (!existing || existing.velocity < note.velocity) byKey.set(key, { ...note, pitch });
  }
  return [...byKey.values()].sort((a, b) => a.onset - b.onset || a.pitch - b.pitch);
}
