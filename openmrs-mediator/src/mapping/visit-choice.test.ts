import { chooseVisit, type KnownVisit } from './visit-choice';

const at = (hhmm: string) => Date.parse(`2024-06-01T${hhmm}:00Z`);
const MINUTES_30 = 30 * 60_000;
const visit = (id: string, start: string, end: string | undefined, ours = true): KnownVisit => ({
  id,
  start: at(start),
  ...(end ? { end: at(end) } : {}),
  ours,
});

describe('chooseVisit', () => {
  it('creates a visit for the report duration when none is near', () => {
    expect(chooseVisit(at('10:00'), MINUTES_30, [visit('a', '07:00', '07:30')])).toEqual({
      create: { start: at('10:00'), end: at('10:30') },
    });
  });

  it('joins and extends our visit that contains the report, and one it only touches', () => {
    expect(chooseVisit(at('10:20'), MINUTES_30, [visit('a', '10:00', '10:30')])).toEqual({
      join: 'a',
      period: { start: at('10:00'), end: at('10:50') },
    });
    expect(chooseVisit(at('10:30'), MINUTES_30, [visit('a', '10:00', '10:30')])).toEqual({
      join: 'a',
      period: { start: at('10:00'), end: at('11:00') },
    });
  });

  it('never extends a visit into the next one', () => {
    const visits = [visit('a', '10:00', '10:30'), visit('b', '10:40', '11:10', false)];
    expect(chooseVisit(at('10:20'), MINUTES_30, visits)).toEqual({
      join: 'a',
      period: { start: at('10:00'), end: at('10:40') - 1000 },
    });
  });

  it('moves the start of our visit that begins within the report duration back to the report', () => {
    expect(chooseVisit(at('10:00'), MINUTES_30, [visit('a', '10:20', '10:50')])).toEqual({
      join: 'a',
      period: { start: at('10:00'), end: at('10:50') },
    });
  });

  it("joins OpenMRS users' visits as they are, and ends a new visit before theirs", () => {
    expect(chooseVisit(at('10:20'), MINUTES_30, [visit('u', '09:00', undefined, false)])).toEqual({
      join: 'u',
    });
    expect(chooseVisit(at('10:00'), MINUTES_30, [visit('u', '10:20', '12:00', false)])).toEqual({
      create: { start: at('10:00'), end: at('10:20') - 1000 },
    });
  });
});
