// Which OpenMRS visit a CHT report goes to (pure; design.md §4 "Visits"). O3 refuses two visits of a
// patient that overlap or touch (core's VisitValidator: start ≤ other's stop and stop ≥ other's start),
// so a report whose time falls in a visit joins it, and a visit we make or grow stops a second before
// the next one. Only visits we made are ever changed; a visit OpenMRS users made is joined as it is.
// The choice depends only on the report's time and the visits OpenMRS holds, so a run that died after
// any request makes the same choice again.

export interface KnownVisit {
  id: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms; none while the visit is open. */
  end?: number;
  /** Made by this sync from CHT reports (then it may be extended); otherwise OpenMRS users' own. */
  ours: boolean;
}

export interface Period {
  start: number;
  end: number;
}

export type VisitChoice =
  /** Join that visit; `period` when the visit must first be given that period. */
  { join: string; period?: Period } | { create: Period };

const SECOND = 1000;

/**
 * The visit for a report at `at` (epoch ms, whole seconds) whose own visit would last `durationMs`:
 * 1. a visit containing `at` (bounds included) is joined; ours is extended to cover the report's
 *    duration, up to a second before the next visit;
 * 2. else a visit of ours starting within the report's duration is joined, its start moved back to `at`
 *    (so the same reports make the same visit in any order);
 * 3. else a new visit from `at` for the duration, ending a second before the next visit if that is sooner.
 */
export function chooseVisit(at: number, durationMs: number, visits: KnownVisit[]): VisitChoice {
  const sorted = [...visits].sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const wantedEnd = at + durationMs;
  const endBeforeNext = (after: KnownVisit | undefined, end: number) => {
    const next = sorted.find((v) => v.start > (after?.start ?? at) && v.id !== after?.id);
    return next ? Math.min(end, next.start - SECOND) : end;
  };

  const containing = sorted.find((v) => v.start <= at && (v.end === undefined || at <= v.end));
  if (containing) {
    if (!containing.ours || containing.end === undefined) return { join: containing.id };
    const end = Math.max(containing.end, endBeforeNext(containing, wantedEnd));
    return end === containing.end
      ? { join: containing.id }
      : { join: containing.id, period: { start: containing.start, end } };
  }
  const following = sorted.find((v) => v.start > at && v.start <= wantedEnd);
  if (following?.ours && following.end !== undefined) {
    const end = Math.max(following.end, endBeforeNext(following, wantedEnd));
    return { join: following.id, period: { start: at, end } };
  }
  return { create: { start: at, end: endBeforeNext(undefined, wantedEnd) } };
}
