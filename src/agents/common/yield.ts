/**
 * Training loops are synchronous maths; they hand the event loop a turn every ~50 ms so that
 * signals (Ctrl-C), timers and progress output still run. Yielding never changes results.
 */
let last = Date.now();

export async function maybeYield(): Promise<void> {
  const now = Date.now();
  if (now - last < 50) return;
  last = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}
