import { createDocument } from '../model/schema';
import { models } from '../model/schemas';
import type { Channel } from '../model/types';
import { isAuthorised } from './authorisation';
import { matchChannel } from './matching';

const channel = (extra: Record<string, unknown>) =>
  createDocument(models.Channel, {
    name: String(Math.random()),
    urlPattern: '^/x',
    methods: ['GET'],
    ...extra,
  }) as unknown as Channel;
const request = (extra: Partial<Parameters<typeof matchChannel>[1]> = {}) => ({
  path: '/x',
  method: 'GET',
  body: Buffer.alloc(0),
  ...extra,
});

describe('channel matching and client authorisation', () => {
  it('takes the first enabled channel by priority whose pattern, method, content and content type match', () => {
    const low = channel({ priority: 2 });
    const high = channel({ priority: 1 });
    const none = channel({});
    expect(matchChannel([none, low, high], request())).toBe(high);
    expect(matchChannel([none, low, { ...high, status: 'disabled' }], request())).toBe(low);
    expect(matchChannel([channel({ methods: [] })], request())).toBeUndefined();
    expect(
      matchChannel(
        [channel({ matchContentTypes: ['application/json'] })],
        request({ contentType: 'application/json; charset=utf-8' }),
      ),
    ).toBeDefined();
    expect(
      matchChannel([channel({ matchContentRegex: 'needle' })], request({ body: Buffer.from('hay needle') })),
    ).toBeDefined();
    const json = channel({ matchContentJson: 'a.b', matchContentValue: '1' });
    expect(matchChannel([json], request({ body: Buffer.from('{"a":{"b":1}}') }))).toBe(json);
  });

  it('authorises by whitelist, public channels, roles or clientID', () => {
    const client = { roles: ['r'], clientID: 'c' };
    expect(isAuthorised(channel({ allow: ['r'] }), client, '1.2.3.4')).toBe(true);
    expect(isAuthorised(channel({ allow: ['c'] }), client, '1.2.3.4')).toBe(true);
    expect(isAuthorised(channel({ allow: ['z'] }), client, '1.2.3.4')).toBe(false);
    expect(isAuthorised(channel({ authType: 'public' }), undefined, '1.2.3.4')).toBe(true);
    expect(isAuthorised(channel({ authType: 'public', whitelist: ['9.9.9.9'] }), undefined, '1.2.3.4')).toBe(
      false,
    );
  });
});
