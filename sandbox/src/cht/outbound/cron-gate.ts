// The cron gate of a config (reference cht.md §1.4): due when now is within ±5 minutes of the previous
// or the next occurrence. An invalid cron is never due.
import { CronExpressionParser } from 'cron-parser';

const WINDOW_MS = 5 * 60 * 1000;

export function isCronDue(cron: string, now: Date): boolean {
  // CHT validates with cron-validator: five fields only.
  if (cron.trim().split(/\s+/).length !== 5) return false;
  try {
    const expression = CronExpressionParser.parse(cron, { currentDate: now });
    const previous = expression.prev().getTime();
    const expressionNext = CronExpressionParser.parse(cron, { currentDate: now });
    const next = expressionNext.next().getTime();
    return now.getTime() - previous <= WINDOW_MS || next - now.getTime() <= WINDOW_MS;
  } catch {
    return false;
  }
}
