/**
 * Where a piece's parts start, for its piano roll: the sections of a piece composed in form, or for a continuation
 * the bars as sent and the new part, so that a person sees where their music ends and Motif's begins.
 */
import { sectionMarks, type Form } from './form.ts';

export type PieceMark = { firstBar: number; label: string };

export function pieceMarks(piece: { form?: Form; parentBars?: number }): PieceMark[] | undefined {
  if (piece.form) return sectionMarks(piece.form);
  if (piece.parentBars !== undefined) return [{ firstBar: 1, label: 'as sent' }, { firstBar: piece.parentBars + 1, label: 'new' }];
  return undefined;
}
