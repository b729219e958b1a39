// The failed-login limiter (reference cht.md §2.0): each 401/429 response consumes a point for the
// IP, the username and the password; 10 points per 10 s; once any is exhausted, requests carrying
// credentials get 429.
export class FailedLoginLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly points = 10,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const kept = (this.hits.get(key) ?? []).filter((time) => time > cutoff);
    this.hits.set(key, kept);
    return kept;
  }

  isLimited(keys: string[]): boolean {
    return keys.some((key) => this.recent(key).length >= this.points);
  }

  consume(keys: string[]): void {
    for (const key of keys) this.recent(key).push(this.now());
  }
}
