/**
 * training/ and src/ agree on the music tokens: the id ranges of training/vocab.py are src/tokens/vocab.ts's, and
 * training/model.py's bar_position_ids gives what the engine feeds a metrical model (src/tokens/bar-position.ts) on a
 * real piece.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { barPositionIds } from '../src/tokens/bar-position.ts';
import { readMidi } from '../src/music/midi.ts';
import { encodeScore } from '../src/tokens/tokenizer.ts';
import { BAR, RANGES, VOCAB_SIZE, tokenId } from '../src/tokens/vocab.ts';
import { withoutTorch, pythonJson } from './helpers/python.ts';

describe('bar positions', () => {
  it('are 0 in the header, 1 after a bar line, 2 + k from POS_k until the next bar line', () => {
    const header = [1, tokenId('timeSignature', 2), tokenId('bars', 1)];
    const body = [BAR, tokenId('position', 0), tokenId('instrument', 0), tokenId('pitch', 60), tokenId('duration', 3),
      tokenId('position', 12), tokenId('instrument', 0), BAR, tokenId('timeSignature', 2), tokenId('position', 4)];
    expect(barPositionIds([...header, ...body])).toEqual([0, 0, 0, 1, 2, 2, 2, 2, 14, 14, 1, 1, 6]);
  });
});

describe.skipIf(withoutTorch())('training/ agrees with src/', () => {
  it('has the same token ranges', () => {
    const python = pythonJson('import json, vocab; print(json.dumps({"ranges": vocab.RANGES, "size": vocab.VOCAB_SIZE}))') as {
      ranges: Record<string, [number, number]>;
      size: number;
    };
    expect(python.size).toBe(VOCAB_SIZE);
    expect(python.ranges).toEqual(Object.fromEntries(Object.entries(RANGES).map(([type, r]) => [type, [r.start, r.size]])));
  });

  it('computes the bar positions of a real piece as the engine does', () => {
    const tokens = encodeScore(readMidi(new Uint8Array(readFileSync('tests/fixtures/freedoom-d_map16.mid'))));
    const python = pythonJson(
      `import json, torch\nfrom model import bar_position_ids\nprint(json.dumps(bar_position_ids(torch.tensor([${JSON.stringify(tokens)}]))[0].tolist()))`,
    ) as number[];
    expect(new Set(python).size).toBeGreaterThan(8);
    expect(python).toEqual(barPositionIds(tokens));
  });
});
