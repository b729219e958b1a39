// Small helpers the benchmarks share: timing, percentiles, bounded concurrency, memory.
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `count` jobs with at most `concurrency` at once. */
export async function pool(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await job(i);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}
