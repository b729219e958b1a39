import { castUpdate, createDocument, setFields, validateDocument } from './schema';
import { models } from './schemas';

describe('schema casting and validation (mongoose stand-in)', () => {
  it('applies defaults, drops unknown fields, casts strings to numbers and gives subdocuments ids', () => {
    const doc = createDocument(models.Channel, {
      name: 'C',
      urlPattern: '^/c$',
      unknown: 'dropped',
      routes: [{ name: 'R', port: '6000', primary: 'true' }],
    });
    expect(doc).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      __v: 0,
      type: 'http',
      status: 'enabled',
      authType: 'private',
      methods: [],
      routes: [
        { _id: expect.stringMatching(/^[0-9a-f]{24}$/), port: 6000, primary: true, forwardAuthHeader: false },
      ],
    });
    expect(doc).not.toHaveProperty('unknown');
  });

  it("reports every failing path in mongoose's words", () => {
    expect(() =>
      createDocument(models.Channel, {
        urlPattern: '',
        type: 'ftp',
        priority: 0,
        routes: [{ port: 'abc' }],
        methods: ['FETCH'],
      }),
    ).toThrow(
      [
        'Channel validation failed: name: Path `name` is required.',
        'urlPattern: Path `urlPattern` is required.',
        'methods.0: `FETCH` is not a valid enum value for path `methods.0`.',
        'type: `ftp` is not a valid enum value for path `type`.',
        'priority: Path `priority` (0) is less than minimum allowed value (1).',
        'routes.0.name: Path `name` is required.',
        'routes.0.port: Cast to Number failed for value "abc" (type string) at path "port"',
      ].join(', '),
    );
  });

  it('casts updates without validators, but throws CastError for values that cannot be cast', () => {
    expect(castUpdate(models.Client, { name: '', roles: 'one' })).toEqual({ name: '', roles: ['one'] });
    expect(() => castUpdate(models.Client, { roles: [{}] })).toThrow('Cast to string failed');
  });

  it('setFields replaces given fields and keeps uncastable values for validateDocument to report', () => {
    const doc = createDocument(models.Channel, { name: 'C', urlPattern: '^/c$' });
    const changed = setFields(models.Channel, doc, { priority: 'high', description: 'd' });
    expect(changed).toMatchObject({ name: 'C', priority: 'high', description: 'd' });
    expect(() => validateDocument(models.Channel, changed)).toThrow(
      'priority: Cast to Number failed for value "high"',
    );
  });
});
