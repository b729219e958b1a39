// When a polling channel runs (openhim.md §3.5), as agenda 5 computes it for core's
// `every(pollingSchedule)`: a cron string is tried first (server timezone), then a human interval
// ("1 minute", "30 seconds", "1.5 hours", "one day and 2 hours"). At registration a human interval
// is due at once and a cron string at its next occurrence; after each run, the next run is the run's
// start plus the interval, or the cron occurrence after it. Pure.
import { CronExpressionParser } from 'cron-parser';

const UNIT_MS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
};

/** "twenty five" → 25; NaN for anything else. */
function wordsToNumber(words: string): number {
  const parts = words.split(/[\s-]+/).filter(Boolean);
  if (parts.length === 0) return Number.NaN;
  let total = 0;
  for (const part of parts) {
    const value = SMALL[part];
    if (value === undefined) return Number.NaN;
    total = value === 100 ? Math.max(total, 1) * 100 : total + value;
  }
  return total;
}

/** human-interval's reading: milliseconds, or NaN when no unit is named (case-sensitive, like it). */
export function humanInterval(text: string): number {
  let rest = text.replace(/([^a-z\d.-]|and)+/g, ' ');
  let result = Number.NaN;
  for (;;) {
    const match = /(second|minute|hour|day|week|month|year)s?/.exec(rest);
    if (!match?.[1]) return result;
    const before = rest.slice(0, match.index).trim();
    let count = 1;
    if (before.length > 0) {
      count = Number.parseFloat(before);
      if (Number.isNaN(count)) count = wordsToNumber(before);
    }
    result = (Number.isNaN(result) ? 0 : result) + count * (UNIT_MS[match[1]] ?? Number.NaN);
    rest = rest.slice(match.index + match[0].length);
  }
}

export type Schedule = { kind: 'cron'; expression: string; tz?: string } | { kind: 'interval'; ms: number };

function cronAfter(expression: string, after: number, tz: string | undefined): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(after), ...(tz ? { tz } : {}) })
    .next()
    .getTime();
}

/** The schedule, or undefined when agenda could compute no run time from it. */
export function parseSchedule(text: string, tz?: string): Schedule | undefined {
  try {
    cronAfter(text, Date.now(), tz);
    return { kind: 'cron', expression: text, ...(tz ? { tz } : {}) };
  } catch {
    const ms = humanInterval(text);
    return Number.isFinite(ms) && ms > 0 ? { kind: 'interval', ms } : undefined;
  }
}

/** First run time when the job is (re)registered: now for an interval, the next occurrence for cron. */
export function firstRunAt(schedule: Schedule, now: number): number {
  return schedule.kind === 'interval' ? now : cronAfter(schedule.expression, now, schedule.tz);
}

/** The next run after a run that started at `lastRunAt` (agenda's computeNextRunAt). */
export function nextRunAt(schedule: Schedule, lastRunAt: number, previousNextRunAt: number): number {
  if (schedule.kind === 'interval') return lastRunAt + schedule.ms;
  let next = cronAfter(schedule.expression, lastRunAt, schedule.tz);
  if (next === lastRunAt || next <= previousNextRunAt)
    next = cronAfter(schedule.expression, lastRunAt + 1000, schedule.tz);
  return next;
}
