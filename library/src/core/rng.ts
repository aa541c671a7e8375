/**
 * Seeded randomness. Every random choice in Tansaku comes from an `Rng` derived from a study seed and a
 * key (trial number, parameter name...), never from a shared stream, so a parallel or distributed run
 * draws the same numbers for the same trial whatever order trials run in.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand): 128 bits
 * of state, passes BigCrush, and runs on 32-bit integer arithmetic, which is fast in JavaScript.
 * Keys are mixed with MurmurHash3's 32-bit finaliser so nearby keys give unrelated streams.
 */

/** MurmurHash3 fmix32: a bijective avalanche mix of a 32-bit integer. */
function fmix32(key: number): number {
  let h = key ^ (key >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string (FNV-1a then fmix32). Stable across platforms and Node versions. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Folds a list of keys into one 32-bit seed. Numbers beyond 32 bits are split into two words. */
export function deriveSeed(...keys: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    if (typeof key === 'string') {
      h = fmix32(h ^ hashString(key));
    } else {
      const lo = key >>> 0;
      const hi = Math.floor(key / 4294967296) >>> 0;
      h = fmix32((h ^ lo) + 0x6a09e667);
      h = fmix32((h ^ hi) + 0xbb67ae85);
    }
  }
  return h;
}

/**
 * A small seeded pseudo-random generator.
 *
 * @example
 * ```ts
 * const rng = Rng.forKey(studySeed, trial.number, 'lr');
 * const u = rng.random(); // in [0, 1)
 * ```
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator for the given key path, e.g. `(seed, trialNumber, paramName)`. */
  static forKey(...keys: Array<number | string>): Rng {
    return new Rng(deriveSeed(...keys));
  }

  /** A random 32-bit seed from the operating system's entropy, for studies created without a seed. */
  static randomSeed(): number {
    const buf = new Uint32Array(1);
    globalThis.crypto.getRandomValues(buf);
    return buf[0];
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [low, high] inclusive. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1));
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element. */
  choice<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
