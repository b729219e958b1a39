// Small helpers the benchmarks share: timing, percentiles, bounded concurrency, memory, CPU time.
import { readFileSync } from 'node:fs';

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

/** CPU seconds (user + system) a process has used so far: this one, or another by pid (Linux /proc). */
export function cpuSeconds(pid?: number): number {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks of 1/100 s
}

export const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}
