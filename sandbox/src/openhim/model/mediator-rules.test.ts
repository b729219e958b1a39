import {
  assertConfig,
  assertConfigDefs,
  maskPasswords,
  PASSWORD_MASK,
  restoreMaskedPasswords,
} from './mediator-rules';

const defs = [
  { param: 'url', type: 'string' },
  { param: 'pw', type: 'password' },
  { param: 'mode', type: 'option', values: ['a', 'b'] },
  { param: 'headers', type: 'map' },
  {
    param: 'db',
    type: 'struct',
    template: [
      { param: 'user', type: 'string' },
      { param: 'secret', type: 'password' },
    ],
  },
  { param: 'ports', type: 'number', array: true },
];

describe("core's mediator config rules", () => {
  it('accepts config that matches its defs', () => {
    expect(() =>
      assertConfig(defs, {
        url: 'u',
        pw: 'p',
        mode: 'b',
        headers: { a: 'x' },
        db: { user: 'u', secret: 's' },
        ports: [1, 2],
      }),
    ).not.toThrow();
  });

  it.each([
    [{ other: 1 }, 'No config definition found for parameter other'],
    [{ mode: 'c' }, 'Expected config param mode to be one of a,b'],
    [{ headers: { a: 1 } }, 'Expected config param headers to only contain string values.'],
    [{ db: { host: 'h' } }, 'Field host is not defined in template definition for config param db.'],
    [{ ports: 5 }, 'Expected config param ports to be an array of type number'],
    [{ ports: [1, 'x'] }, 'Expected config param ports[1] to be a number.'],
  ])('rejects %j: %s', (config, message) => {
    expect(() => assertConfig(defs, config)).toThrow(message);
  });

  it('checks defs: struct templates and option values', () => {
    expect(() => assertConfigDefs([{ param: 's', type: 'struct', template: [{ param: 'x' }] }])).toThrow(
      "Must specify field 'type' in template definition for param 's'",
    );
    expect(() =>
      assertConfigDefs([{ param: 's', type: 'struct', template: [{ param: 'x', type: 'struct' }] }]),
    ).toThrow("May not recursively specify 'struct' in template definitions (param 's')");
    expect(() => assertConfigDefs([{ param: 'o', type: 'option', values: [] }])).toThrow(
      "Must specify a values array for option param 'o'",
    );
  });

  it('masks passwords, also in structs, and restores masked values from the stored config', () => {
    const stored = { url: 'u', pw: 'real', db: { user: 'u', secret: 'deep' } };
    const masked = maskPasswords(defs, stored);
    expect(masked).toEqual({ url: 'u', pw: PASSWORD_MASK, db: { user: 'u', secret: PASSWORD_MASK } });
    expect(restoreMaskedPasswords(defs, { ...(masked as object), url: 'v' }, stored)).toEqual({
      ...stored,
      url: 'v',
    });
  });
});
