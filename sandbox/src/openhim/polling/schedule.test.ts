import { firstRunAt, humanInterval, nextRunAt, parseSchedule } from './schedule';

describe('polling schedules as agenda reads them', () => {
  it.each([
    ['1 minute', 60_000],
    ['30 seconds', 30_000],
    ['5 minutes', 300_000],
    ['1.5 hours', 5_400_000],
    ['one day and 2 hours', 93_600_000],
    ['twenty five seconds', 25_000],
  ])('"%s" is %i ms', (text, ms) => {
    expect(humanInterval(text)).toBe(ms);
  });

  it('no unit, or a capitalised one, is not an interval', () => {
    expect(humanInterval('5000')).toBeNaN();
    expect(humanInterval('1 Minute')).toBeNaN();
    expect(parseSchedule('sometimes')).toBeUndefined();
  });

  it('an interval is due at registration; a cron string at its next occurrence', () => {
    const now = Date.parse('2024-09-16T10:00:30Z');
    expect(firstRunAt({ kind: 'interval', ms: 60_000 }, now)).toBe(now);
    const cron = parseSchedule('0 4 * * *', 'UTC');
    expect(cron).toEqual({ kind: 'cron', expression: '0 4 * * *', tz: 'UTC' });
    if (!cron) throw new Error('unreachable');
    expect(firstRunAt(cron, now)).toBe(Date.parse('2024-09-17T04:00:00Z'));
    expect(nextRunAt(cron, Date.parse('2024-09-17T04:00:00Z'), Date.parse('2024-09-17T04:00:00Z'))).toBe(
      Date.parse('2024-09-18T04:00:00Z'),
    );
    expect(nextRunAt({ kind: 'interval', ms: 30_000 }, now, now)).toBe(now + 30_000);
  });
});
