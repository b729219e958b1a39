// Pure outbound pieces (reference cht.md §1.1, §1.3, §1.4, §1.5).
import { isCronDue } from './cron-gate';
import { mapDocumentToPayload } from './mapping';
import { getPath, setPath } from './object-path';
import { OutboundError } from './outbound-error';
import { payloadHash } from './payload-hash';
import { urlJoin } from './url-join';

describe('object-path semantics', () => {
  it('reads own properties only and never throws on a missing step', () => {
    const doc = { fields: { arr: ['a', 'b'] }, name: 'x' };
    expect(getPath({ doc }, 'doc.fields.arr.1')).toBe('b');
    expect(getPath({ doc }, 'doc.fields.arr.length')).toBe(2);
    expect(getPath({ doc }, 'doc.toString')).toBeUndefined();
    expect(getPath({ doc }, 'doc.missing.deeper.still')).toBeUndefined();
  });

  it('creates arrays for numeric next segments; non-index keys on arrays vanish in JSON', () => {
    const out: Record<string, unknown> = {};
    setPath(out, 'x.0', 1);
    setPath(out, 'x.foo', 2);
    expect(JSON.stringify(out)).toBe('{"x":[1]}');
    expect(() => setPath({}, '__proto__.polluted', 1)).toThrow();
  });
});

describe('mapDocumentToPayload', () => {
  const doc = { _id: 'd1', fields: { flag: false, none: null, n: 3 } };

  it('keeps mapping-key order, false and null; omits optional undefined; string-coerces expr', () => {
    const payload = mapDocumentToPayload(
      'cfg',
      {
        'b.0.code': { expr: "'A'" },
        'b.0.valueCode': 'doc.fields.flag',
        'b.2.code': { expr: "'C'" },
        a: 'doc.fields.none',
        skip: { path: 'doc.fields.nope', optional: true },
        active: { expr: true },
        double: { expr: 'doc.fields.n * 2' },
      },
      doc,
    );
    expect(JSON.stringify(payload)).toBe(
      '{"b":[{"code":"A","valueCode":false},null,{"code":"C"}],"a":null,"active":true,"double":6}',
    );
  });

  it('fails the whole payload on a missing required path, an expr error, or an entry without path/expr', () => {
    expect(() => mapDocumentToPayload('cfg', { x: 'doc.fields.nope' }, doc)).toThrow(
      new OutboundError("Mapping error for 'cfg/x': cannot find 'doc.fields.nope' on source document"),
    );
    expect(() => mapDocumentToPayload('cfg', { x: { expr: 'doc.a.b' } }, doc)).toThrow(/JS error/);
    expect(() => mapDocumentToPayload('cfg', { x: { expr: 'undefined' } }, doc)).toThrow(
      /expr evaluated to undefined/,
    );
    expect(() => mapDocumentToPayload('cfg', { x: { optional: true } }, doc)).toThrow(
      /either 'path' or 'expr'/,
    );
  });
});

describe('payload hash, url join, cron gate', () => {
  it('hashes key-sorted JSON so key order does not matter but values do', () => {
    expect(payloadHash({ a: 1, b: { c: 2, d: 3 } })).toBe(payloadHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(payloadHash({ a: 1 })).not.toBe(payloadHash({ a: 2 }));
    expect(payloadHash({ a: [1, 2] })).not.toBe(payloadHash({ a: [2, 1] }));
  });

  it('joins base_url and path like url-join@4', () => {
    expect(urlJoin('http://h:5001', '/mediator/cht/patient')).toBe('http://h:5001/mediator/cht/patient');
    expect(urlJoin('http://h:5001/', '/x?y=1')).toBe('http://h:5001/x?y=1');
    expect(urlJoin('http://h:5001//', 'a/')).toBe('http://h:5001/a/');
    expect(() => urlJoin('http://h', undefined)).toThrow('Url must be a string');
  });

  it('is due within ±5 minutes of the previous or next occurrence; invalid crons are never due', () => {
    const now = new Date(2026, 0, 1, 12, 0, 0);
    expect(isCronDue('3 12 * * *', now)).toBe(true);
    expect(isCronDue('57 11 * * *', now)).toBe(true);
    expect(isCronDue('10 12 * * *', now)).toBe(false);
    expect(isCronDue('0 0 * * *', now)).toBe(false);
    expect(isCronDue('not a cron', now)).toBe(false);
    expect(isCronDue('0 0 12 * * *', now)).toBe(false);
  });
});
