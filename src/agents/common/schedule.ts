/**
 * Hyperparameter schedules, JSON-serialisable so they can live in saved options.
 * A schedule is a constant, or `{ linear: [start, end], fraction }`: start at the beginning of
 * training, end once `fraction` of the total steps have passed (default 1), constant after.
 * RL Zoo's `lin_0.001` is `{ linear: [0.001, 0] }`.
 */
export type Schedule = number | { linear: [number, number]; fraction?: number };

/** Value of a schedule after `progress` in [0, 1] of training has elapsed. */
export function scheduleValue(s: Schedule, progress: number): number {
  if (typeof s === 'number') return s;
  const [a, b] = s.linear;
  const f = s.fraction ?? 1;
  const t = f <= 0 ? 1 : Math.min(1, Math.max(0, progress) / f);
  return a + (b - a) * t;
}

export function checkSchedule(s: Schedule, name: string): void {
  const ok = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  if (typeof s === 'number') {
    if (!ok(s)) throw new Error(`${name} must be a finite number, got ${s}`);
    return;
  }
  if (!s || !Array.isArray(s.linear) || s.linear.length !== 2 || !s.linear.every(ok) || (s.fraction !== undefined && !(ok(s.fraction) && s.fraction > 0))) {
    throw new Error(`${name} must be a number or { linear: [start, end], fraction? } with fraction > 0`);
  }
}
