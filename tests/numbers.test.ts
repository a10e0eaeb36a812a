import { describe, expect, it } from 'vitest';
import { NUMBER_WORD_PATTERN, numberValue, numberWord, smallNumberWordPattern } from '../src/text/numbers.ts';

describe('number words', () => {
  it('writes 0-99 in words and reads each back, and nothing beyond', () => {
    const whole = new RegExp(`^${NUMBER_WORD_PATTERN}$`);
    for (let n = 0; n < 100; n++) {
      const word = numberWord(n)!;
      expect(whole.test(word), word).toBe(true);
      expect(numberValue(word), word).toBe(n);
    }
    expect(numberWord(64)).toBe('sixty-four');
    expect(numberValue('sixty four')).toBe(64);
    expect(numberWord(100)).toBeUndefined();
    expect(numberWord(2.5)).toBeUndefined();
  });

  it('reads digits, "a" and "an", and nothing else', () => {
    expect(numberValue('16')).toBe(16);
    expect(numberValue('-2.5')).toBe(-2.5);
    expect(numberValue('An')).toBe(1);
    expect(numberValue('many')).toBeNaN();
  });

  it('matches a long word whole rather than the short word it starts with', () => {
    expect('seventeen'.match(new RegExp(NUMBER_WORD_PATTERN))?.[0]).toBe('seventeen');
    expect('seventeen'.match(new RegExp(smallNumberWordPattern(1, 19)))?.[0]).toBe('seventeen');
    expect(new RegExp(`^(?:${smallNumberWordPattern(1, 12)})$`).test('thirteen')).toBe(false);
  });
});
