/**
 * A small seeded PRNG (mulberry32): the chaos harness draws every plan (kill moment, latency)
 * from it, so a seed names a reproducible plan. Timing on a loaded machine still varies; the seed
 * fixes what is attempted, not how the scheduler interleaves it.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** An independent stream for a sub-task (e.g. run 7 of seed S): same seed, same stream. */
  fork(label: string | number): Prng;
}

export function createPrng(seed: number): Prng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    fork: (label) => createPrng(hash(`${seed}/${label}`)),
  };
}

/** FNV-1a: a stable 32-bit seed from a label. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
