// The generator's randomness: a seeded PRNG (mulberry32), one independent stream per concern
// (so changing the number of deals does not rename the partners), the draws built on it, and
// ids drawn from a stream so that a seed reproduces the same rows.

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = ReturnType<typeof mulberry32>;

export function stream(seed: number, name: string): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return mulberry32(h);
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

export function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  let r = rng() * choices.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of choices) if ((r -= w) < 0) return value;
  return choices[choices.length - 1]![0];
}

export function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Log-normal with the given median, clamped: deal sizes, cycle times, review delays. */
export function logNormal(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, median * Math.exp(sigma * normal(rng))));
}

export function shuffle<T>(rng: Rng, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Deterministic lucia-style ids (16 base32 characters) drawn from one stream. */
export function idSource(rng: Rng): () => string {
  const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
  return () => {
    let id = "";
    for (let i = 0; i < 16; i++) id += BASE32[Math.floor(rng() * 32)];
    return id;
  };
}
