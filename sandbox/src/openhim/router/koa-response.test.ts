import { koaResponse } from './koa-response';

describe("the client's answer as Koa builds it", () => {
  it('copies headers except content-length/-encoding and transfer-encoding, and adds the transaction id', () => {
    const headers: Record<string, unknown> = {
      'content-type': 'application/json',
      'content-length': '2',
      'content-encoding': 'gzip',
      'x-custom': 'yes',
    };
    const answer = koaResponse(
      { status: '201', headers, body: Buffer.from('{}') },
      { transactionId: 't1', acceptsHtml: true },
    );
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual([
      ['x-custom', 'yes'],
      ['X-OpenHIM-TransactionID', 't1'],
      ['Content-Type', 'application/json'],
    ]);
    expect(headers['X-OpenHIM-TransactionID']).toBe('t1');
  });

  it('infers the type of a body without content-type; logs an object body as "[object Object]"', () => {
    expect(koaResponse({ status: 200, body: Buffer.from('x') }, { acceptsHtml: true }).headers).toEqual([
      ['Content-Type', 'application/octet-stream'],
    ]);
    expect(koaResponse({ status: 200, body: '<p>' }, { acceptsHtml: true }).headers).toEqual([
      ['Content-Type', 'text/html; charset=utf-8'],
    ]);
    const object = koaResponse({ status: 200, body: { a: 1 } }, { acceptsHtml: true });
    expect([object.body.toString(), object.logBody]).toEqual(['{"a":1}', '[object Object]']);
    expect(koaResponse({ status: 204, body: undefined }, { acceptsHtml: true }).body.toString()).toBe(
      'No Content',
    );
  });

  it('turns a 3xx with location into a Koa redirect', () => {
    const answer = koaResponse(
      { status: 304, headers: { location: '/next' }, body: 'x' },
      { acceptsHtml: false },
    );
    expect(answer).toMatchObject({ status: 302, logBody: 'Redirecting to /next.' });
    expect(answer.headers).toContainEqual(['Location', '/next']);
  });

  it('refuses a status that is not a number', () => {
    expect(() => koaResponse({ status: 'abc', body: '' }, { acceptsHtml: true })).toThrow(
      'invalid status code: abc',
    );
  });
});
