// The correctly rounded sin/cos behind the classic-control dynamics.
import { describe, expect, it } from 'vitest';
import { cos, pyMod, sin } from '../../src/env/classic/libm.ts';
import { Rng } from '../../src/util/rng.ts';

describe('correctly rounded sin and cos', () => {
  it('gives the correctly rounded value where V8 and glibc round differently (checked with 60-digit Decimal)', () => {
    expect(sin(2.661742795041847)).toBe(0.4616459956314947);
    expect(sin(-2.768198894656164)).toBe(-0.3647774376804909);
    expect(cos(1.1084792753065447)).toBe(0.44602311316310056);
    expect(cos(0.9885918672894052)).toBe(0.5498665517385285);
  });
  it('stays within one ulp of Math.sin/Math.cos over a wide range, and exact at 0', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 20000; i++) {
      const x = rng.uniform(-200, 200) * (i % 3 === 0 ? 0.001 : 1);
      const ulpS = Math.max(Number.EPSILON * Math.abs(Math.sin(x)), Number.MIN_VALUE);
      const ulpC = Math.max(Number.EPSILON * Math.abs(Math.cos(x)), Number.MIN_VALUE);
      if (Math.abs(sin(x) - Math.sin(x)) > ulpS) throw new Error(`sin(${x}) = ${sin(x)}, Math.sin = ${Math.sin(x)}`);
      if (Math.abs(cos(x) - Math.cos(x)) > ulpC) throw new Error(`cos(${x}) = ${cos(x)}, Math.cos = ${Math.cos(x)}`);
    }
    expect(sin(0)).toBe(0);
    expect(Object.is(sin(-0), -0)).toBe(true);
    expect(cos(0)).toBe(1);
    expect(sin(Math.PI / 2)).toBe(1);
  });
  it('is odd/even', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 2000; i++) {
      const x = rng.uniform(0, 50);
      expect(sin(-x)).toBe(-sin(x));
      expect(cos(-x)).toBe(cos(x));
    }
  });
  it('pyMod follows numpy: the result takes the sign of the divisor', () => {
    expect(pyMod(-1, 2 * Math.PI)).toBeCloseTo(2 * Math.PI - 1, 15);
    expect(pyMod(7, 3)).toBe(1);
    expect(pyMod(-7, 3)).toBe(2);
  });
});
