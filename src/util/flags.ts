/**
 * Numeric command-line flags, parsed the same way by every command: the whole text must be a
 * number (or an integer), within bounds, or a UserError names the flag, what it expected and
 * what it got.
 */
import { UserError } from './errors.ts';

export interface NumberFlagBounds {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** `name` is the flag as the user typed it, e.g. '--visits'. */
export function numberFlag(name: string, raw: string, { min = -Infinity, max = Infinity, integer = false }: NumberFlagBounds = {}): number {
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    const kind = integer ? 'an integer' : 'a number';
    const range = min > -Infinity && max < Infinity ? ` in ${min}..${max}` : min > -Infinity ? ` >= ${min}` : max < Infinity ? ` <= ${max}` : '';
    throw new UserError(`${name} must be ${kind}${range}, got '${raw}'`);
  }
  return x;
}

/** The same, for an optional flag: undefined stays undefined. */
export function optionalNumberFlag(name: string, raw: string | undefined, bounds: NumberFlagBounds = {}): number | undefined {
  return raw === undefined ? undefined : numberFlag(name, raw, bounds);
}
