// Time as OpenMRS keeps and shows it: whole seconds in the database, output in the server's time zone
// with an explicit offset (openmrs-fhir2.md §3), and the date-search rules of §7.
import { DateTime } from 'luxon';

export interface Clock {
  now(): number;
  zone: string;
}

/** Now at the database's whole-second precision. */
export const dbNow = (clock: Clock): number => Math.floor(clock.now() / 1000) * 1000;

export const toDb = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * A formatter that remembers its latest answers: rows share their few whole-second times, and luxon's
 * formatting was the stand-in's largest cost in a back-fill.
 */
function remembered(format: string): (ms: number, zone: string) => string {
  const answers = new Map<string, string>();
  return (ms, zone) => {
    const key = `${ms} ${zone}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = DateTime.fromMillis(ms, { zone }).toFormat(format);
      if (answers.size >= 10_000) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}

/** A FHIR dateTime at second precision with the server's offset, e.g. 2024-05-01T10:15:30+03:00. */
export const fhirDateTime = remembered("yyyy-MM-dd'T'HH:mm:ssZZ");

/** A FHIR instant with milliseconds and the server's offset (meta.lastUpdated). */
export const fhirInstant = remembered("yyyy-MM-dd'T'HH:mm:ss.SSSZZ");

/** Parses a FHIR date or dateTime; a value without offset is read in the server's zone. */
export function parseFhirDateTime(value: string, zone: string): DateTime | undefined {
  const parsed = DateTime.fromISO(value, { zone, setZone: false });
  return parsed.isValid ? parsed : undefined;
}

type Unit = 'year' | 'month' | 'day' | 'minute' | 'second';

function precisionOf(value: string): Unit {
  if (/^\d{4}$/.test(value)) return 'year';
  if (/^\d{4}-\d{2}$/.test(value)) return 'month';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'day';
  if (/T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(value)) return 'minute';
  return 'second';
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sa' | 'eb';

export interface DateCondition {
  prefix: DatePrefix;
  start: number;
  end: number;
}

/**
 * `[prefix]value` as FHIR2's search helper reads it (§7): precision capped at the second, start = the
 * value truncated, end = the start of the next unit; gt behaves as ge and lt as le, both inclusive.
 */
export function parseDateParameter(raw: string, zone: string): DateCondition | undefined {
  const match = /^(eq|ne|gt|ge|lt|le|sa|eb)?(.+)$/.exec(raw);
  if (!match?.[2]) return undefined;
  const value = match[2];
  const parsed = parseFhirDateTime(value, zone);
  if (!parsed) return undefined;
  const unit = precisionOf(value);
  const start = parsed.setZone(zone).startOf(unit);
  return {
    prefix: (match[1] ?? 'eq') as DatePrefix,
    start: start.toMillis(),
    end: start.plus({ [`${unit}s`]: 1 }).toMillis(),
  };
}

export function matchesDate(condition: DateCondition, ms: number | undefined): boolean {
  if (ms === undefined) return false;
  const { prefix, start, end } = condition;
  switch (prefix) {
    case 'eq':
      return ms >= start && ms < end;
    case 'ne':
      return !(ms >= start && ms < end);
    case 'gt':
    case 'ge':
      return ms >= start;
    case 'lt':
    case 'le':
      return ms <= end;
    case 'sa':
      return ms > end;
    case 'eb':
      return ms < end;
  }
}
