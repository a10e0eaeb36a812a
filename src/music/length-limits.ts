/**
 * How long a piece Motif will read and render. A MIDI delta time can claim days, and the bar list, the tokens and above all the audio buffers grow with the length:
 * these limits turn such a file into a refusal or a cut with a note, never into an allocation that kills the process.
 */
import { MAX_BARS, MAX_BAR_QUARTERS, MIN_BPM } from './grid.ts';

/**
 * Quarter notes a MIDI file is read up to (midi.ts); later notes are left out with a note to the user. Far longer
 * than any real piece in the data (hours even at a fast tempo), and small enough that its bars cost nothing.
 */
export const MAX_READ_QUARTERS = 65_536;

/**
 * The longest audio the renderer makes: the longest piece the model can write (its most bars, each of the longest
 * meter, at the slowest tempo), so that every composition renders and a hostile file is refused before its buffers
 * are allocated.
 */
export const MAX_RENDER_SECONDS = Math.ceil((MAX_BARS * MAX_BAR_QUARTERS * 60) / MIN_BPM);
