import { finalStatus } from './final-status';

const status = (primaryStatus: number, otherRouteStatuses: number[] = [], extra: object = {}) =>
  finalStatus({ initial: 'Processing', primaryStatus, otherRouteStatuses, asynchronous: false, ...extra });

describe("core's final transaction status (openhim.md §3.4)", () => {
  it('follows the primary and the other routes', () => {
    expect(status(200)).toBe('Successful');
    expect(status(201, [200, 204])).toBe('Successful');
    expect(status(404)).toBe('Completed');
    expect(status(500, [200])).toBe('Failed');
    expect(status(200, [500])).toBe('Completed with error(s)');
    expect(status(404, [503])).toBe('Completed with error(s)');
    expect(status(200, [404])).toBe('Completed');
    expect(status(301)).toBe('Completed');
  });

  it("a mediator's status wins verbatim; asynchronous channels end Pending Async", () => {
    expect(status(500, [], { mediatorStatus: 'Successful' })).toBe('Successful');
    expect(status(200, [], { mediatorStatus: 'Whatever' })).toBe('Whatever');
    expect(status(202, [], { asynchronous: true, initial: 'Pending Async' })).toBe('Pending Async');
  });
});
