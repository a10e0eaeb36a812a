/**
 * Preference pairs for fine-tuning, from votes: two takes people compared under the same conditions. Siblings are
 * takes of one request from the same parent (the takes of a /compose and its regenerations, or two variations of a
 * take by the same words): they share the prompt. A variation is also compared with its parent, under the variation's
 * prompt (the parent's prompt plus the instruction). A take's score is up votes minus down votes; pairs need votes on both sides and a
 * margin above zero.
 */
import type { ScoredTake } from './types.ts';

export interface PreferencePair {
  kind: 'siblings' | 'variation';
  prompt: string;
  /** The variation's instruction (variation pairs). */
  instruction?: string;
  chosen: number[];
  rejected: number[];
  /** Score of the chosen take minus score of the rejected one. */
  margin: number;
  chosenTake: number;
  rejectedTake: number;
  modelIds: [string, string];
}

const score = (take: ScoredTake) => take.votes.up - take.votes.down;

function pair(kind: PreferencePair['kind'], prompt: string, a: ScoredTake, b: ScoredTake, instruction?: string): PreferencePair | undefined {
  const margin = score(a) - score(b);
  if (margin === 0) return undefined;
  const [chosen, rejected] = margin > 0 ? [a, b] : [b, a];
  return {
    kind, prompt, ...(instruction !== undefined ? { instruction } : {}),
    chosen: chosen.tokens as number[], rejected: rejected.tokens as number[], margin: Math.abs(margin),
    chosenTake: chosen.id, rejectedTake: rejected.id, modelIds: [chosen.modelId, rejected.modelId],
  };
}

/** Every preference pair among `takes` (takes with at least one vote each), siblings first, then variations. */
export function preferencePairs(takes: readonly ScoredTake[], minMargin = 1): PreferencePair[] {
  const byId = new Map(takes.map((take) => [take.id, take]));
  const pairs: (PreferencePair | undefined)[] = [];
  const families = new Map<string, ScoredTake[]>();
  for (const take of takes) {
    const family = `${take.requestId}:${take.parentTakeId ?? ''}`;
    families.set(family, [...(families.get(family) ?? []), take]);
  }
  for (const siblings of families.values()) {
    for (let i = 0; i < siblings.length; i++) {
      for (let j = i + 1; j < siblings.length; j++) pairs.push(pair('siblings', siblings[i].prompt, siblings[i], siblings[j]));
    }
  }
  for (const take of takes) {
    if (take.origin !== 'variation' || take.parentTakeId === null) continue;
    const parent = byId.get(take.parentTakeId);
    if (parent) pairs.push(pair('variation', take.prompt, take, parent, take.instruction ?? undefined));
  }
  return pairs.filter((found): found is PreferencePair => found !== undefined && found.margin >= minMargin);
}
