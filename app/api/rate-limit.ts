// Rate limits per API key: a token bucket in this process's memory (decision 0021). With one
// process per core a key may get up to that many times the limit; the limit protects the
// database from a runaway integration, not a billing boundary.

export type Bucket = { tokens: number; at: number };

export class RateLimiter {
  private buckets = new Map<number, Bucket>();
  constructor(
    /** Requests per minute, also the burst size. */
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Takes a token for `key`; when none is left, how many seconds until one is. */
  take(key: number): { ok: true; remaining: number } | { ok: false; retryAfterS: number } {
    const now = this.clock();
    const ratePerMs = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000)) };
  }
}
