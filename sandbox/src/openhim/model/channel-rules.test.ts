import {
  isMaxBodyDaysValid,
  isPathValid,
  isTimeoutValid,
  methodProblem,
  numberOfPrimaryRoutes,
} from './channel-rules';

describe("core's channel checks", () => {
  it('path and pathTransform are exclusive; a pathTransform needs the s/…/… form', () => {
    expect(
      isPathValid([{ path: '/a' }, { pathTransform: 's/a/b/' }, { pathTransform: 's/\\/mediator/' }]),
    ).toBe(true);
    expect(isPathValid([{ path: '/a', pathTransform: 's/a/b' }])).toBe(false);
    expect(isPathValid([{ pathTransform: 'a/b' }])).toBe(false);
  });

  it('counts enabled primaries only', () => {
    expect(
      numberOfPrimaryRoutes([{ primary: true }, { primary: true, status: 'disabled' }, { primary: false }]),
    ).toBe(1);
  });

  it('methods: none for non-http types, no repeats (sorted in the message)', () => {
    expect(methodProblem({ type: 'http', methods: ['GET', 'POST'] })).toBeUndefined();
    expect(methodProblem({ type: 'polling', methods: [] })).toBeUndefined();
    expect(methodProblem({ type: 'tcp', methods: ['GET'] })).toBe(
      "Channel method can't be defined if channel type is not http",
    );
    expect(methodProblem({ methods: ['PUT', 'GET', 'PUT', 'GET'] })).toBe(
      "Channel methods can't be repeated. Repeated methods are GET, PUT",
    );
  });

  it('timeouts are numbers in 1..3600000; maxBodyAgeDays needs a stored body', () => {
    expect([undefined, 1, 3600000].map((timeout) => isTimeoutValid({ timeout }))).toEqual([true, true, true]);
    expect([0, 3600001, '5'].map((timeout) => isTimeoutValid({ timeout }))).toEqual([false, false, false]);
    expect(isMaxBodyDaysValid({ maxBodyAgeDays: 5, requestBody: true })).toBe(true);
    expect(isMaxBodyDaysValid({ maxBodyAgeDays: 5 })).toBe(false);
  });
});
