import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from './http-client';

describe('createHttpClient maxInFlight', () => {
  let server: Server;
  let inFlight = 0;
  let most = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end('{}');
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps at most that many requests at the peer at once; the others wait their turn and succeed', async () => {
    const { port } = server.address() as AddressInfo;
    const client = createHttpClient({ peer: 'test', baseURL: `http://127.0.0.1:${port}`, maxInFlight: 3 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.get('/')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(most).toBe(3);
  });
});
