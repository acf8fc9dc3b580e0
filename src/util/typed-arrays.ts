/** Typed-array helpers for the node pools of the tree searches (src/mcts, src/go-engine). */

export type NumericArray = Float64Array | Float32Array | Int32Array | Int8Array | Uint8Array;

/** A typed array of the same kind with room for `capacity` entries, the first `used` copied over. */
export function resized<T extends NumericArray>(a: T, capacity: number, used: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a.subarray(0, used) as never);
  return b;
}
