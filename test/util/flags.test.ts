import { describe, expect, it } from 'vitest';
import { numberFlag, optionalNumberFlag } from '../../src/util/flags.ts';
import { UserError } from '../../src/util/errors.ts';

describe('numeric flags', () => {
  it('parses numbers and integers within bounds', () => {
    expect(numberFlag('--lr', '0.5', { min: 0, max: 1 })).toBe(0.5);
    expect(numberFlag('--visits', '800', { min: 1, integer: true })).toBe(800);
    expect(optionalNumberFlag('--games', undefined, { min: 1 })).toBeUndefined();
    expect(optionalNumberFlag('--games', '3', { min: 1 })).toBe(3);
  });

  it('refuses text, blanks, fractions where an integer is due, and values out of range, naming the flag and the range', () => {
    expect(() => numberFlag('--visits', 'many', { min: 1, integer: true })).toThrow(UserError);
    expect(() => numberFlag('--visits', 'many', { min: 1, integer: true })).toThrow("--visits must be an integer >= 1, got 'many'");
    expect(() => numberFlag('--visits', '', { min: 1 })).toThrow(/--visits must be a number >= 1, got ''/);
    expect(() => numberFlag('--size', '9.5', { min: 5, max: 19, integer: true })).toThrow("--size must be an integer in 5..19, got '9.5'");
    expect(() => numberFlag('--size', '21', { min: 5, max: 19, integer: true })).toThrow(/in 5\.\.19, got '21'/);
    expect(() => numberFlag('--lambda', 'NaN')).toThrow("--lambda must be a number, got 'NaN'");
    expect(() => numberFlag('--x', '2', { max: 1 })).toThrow("--x must be a number <= 1, got '2'");
  });
});
