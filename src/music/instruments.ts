/** General MIDI names: programs, families, and the percussion key map. */
import maps from '@tonejs/midi/dist/InstrumentMaps.js';
import { DRUMS } from './score.ts';

const { instrumentByPatchID, InstrumentFamilyByID } = maps as {
  instrumentByPatchID: string[];
  InstrumentFamilyByID: Record<number, string>;
};

/** GM program names 0-127, lower case ("acoustic grand piano"). */
export const GM_PROGRAM_NAMES: readonly string[] = instrumentByPatchID;

/** Name of an instrument id (a GM program, or DRUMS). */
export function instrumentName(id: number): string {
  return id === DRUMS ? 'drums' : GM_PROGRAM_NAMES[id] ?? `program ${id}`;
}

/** GM family of an instrument id: piano, chromatic percussion, organ, guitar, bass, strings, ... or drums. */
export function instrumentFamily(id: number): string {
  return id === DRUMS ? 'drums' : InstrumentFamilyByID[Math.floor(id / 8)];
}

/** GM program number for a name as GM spells it, or -1. */
export function programByName(name: string): number {
  return GM_PROGRAM_NAMES.indexOf(name.trim().toLowerCase());
}

/** The General MIDI percussion key map (keys 35-81). */
export const GM_DRUM_NAMES: Readonly<Record<number, string>> = {
  35: 'acoustic bass drum', 36: 'bass drum', 37: 'side stick', 38: 'acoustic snare', 39: 'hand clap',
  40: 'electric snare', 41: 'low floor tom', 42: 'closed hi-hat', 43: 'high floor tom', 44: 'pedal hi-hat',
  45: 'low tom', 46: 'open hi-hat', 47: 'low-mid tom', 48: 'hi-mid tom', 49: 'crash cymbal 1', 50: 'high tom',
  51: 'ride cymbal 1', 52: 'chinese cymbal', 53: 'ride bell', 54: 'tambourine', 55: 'splash cymbal', 56: 'cowbell',
  57: 'crash cymbal 2', 58: 'vibraslap', 59: 'ride cymbal 2', 60: 'hi bongo', 61: 'low bongo', 62: 'mute hi conga',
  63: 'open hi conga', 64: 'low conga', 65: 'high timbale', 66: 'low timbale', 67: 'high agogo', 68: 'low agogo',
  69: 'cabasa', 70: 'maracas', 71: 'short whistle', 72: 'long whistle', 73: 'short guiro', 74: 'long guiro',
  75: 'claves', 76: 'hi wood block', 77: 'low wood block', 78: 'mute cuica', 79: 'open cuica', 80: 'mute triangle',
  81: 'open triangle',
};
