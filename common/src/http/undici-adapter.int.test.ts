// createHttpClient's exchange on the wire (undici under axios), against loopback peers that answer, stall,
// refuse or hang up as real ones do: what our code and operators see must be what axios's own transport
// gave (codes, messages, parsed bodies, retries).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AxiosError } from 'axios';
import { startLoopbackPeer, type LoopbackPeer } from '../test-support/loopback-server';
import { createHttpClient } from './http-client';

const rawPeers: Server[] = [];

/** A peer on node:http itself, for answers express would not give (none, a hang-up); closed after each test. */
async function rawPeer(handle: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handle);
  rawPeers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const closed = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function failureOf(work: Promise<unknown>): Promise<AxiosError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AxiosError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('createHttpClient on the wire', () => {
  let peer: LoopbackPeer;
  beforeAll(async () => {
    peer = await startLoopbackPeer('/ws/fhir2/R4');
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.received.splice(0));
  afterEach(async () => {
    await Promise.all(rawPeers.splice(0).map((server) => (server.listening ? closed(server) : undefined)));
  });

  it('sends JSON with its headers and credentials, and gives back the parsed answer and its headers', async () => {
    peer.answer((req, res) => {
      res.status(201).set('ETag', 'W/"3"').type('application/fhir+json').json({ id: 'p-1', got: req.body });
    });
    const client = createHttpClient({
      peer: 'test',
      baseURL: peer.url,
      username: 'admin',
      password: 'pä:ss',
      headers: { Accept: 'application/fhir+json' },
    });
    const answer = await client.post('/Patient', { resourceType: 'Patient', name: [{ text: 'Ädé' }] });
    expect(answer.status).toBe(201);
    expect(answer.data).toEqual({ id: 'p-1', got: { resourceType: 'Patient', name: [{ text: 'Ädé' }] } });
    expect(answer.headers.etag).toBe('W/"3"');
    const [received] = peer.received;
    expect(received?.url).toBe('/ws/fhir2/R4/Patient');
    expect(received?.headers['content-type']).toMatch(/^application\/json/);
    expect(received?.headers.accept).toBe('application/fhir+json');
    expect(received?.headers.authorization).toBe(`Basic ${Buffer.from('admin:pä:ss').toString('base64')}`);
  });

  it('keeps the query as written, and serialises params as axios does', async () => {
    peer.answer((_req, res) => {
      res.json({});
    });
    const client = createHttpClient({ peer: 'test', baseURL: `${peer.url}/` });
    await client.get('Patient?identifier=a%7Cb%2Cc&_count=2');
    await client.get('/Patient', { params: { name: 'Ädé Ø', _count: 5 } });
    expect(peer.received.map((r) => r.url)).toEqual([
      '/ws/fhir2/R4/Patient?identifier=a%7Cb%2Cc&_count=2',
      '/ws/fhir2/R4/Patient?name=%C3%84d%C3%A9+%C3%98&_count=5',
    ]);
  });

  it('rejects an error answer with its status and parsed body', async () => {
    peer.answer((_req, res) => {
      res.status(422).json({ resourceType: 'OperationOutcome', issue: [{ diagnostics: 'bad birthdate' }] });
    });
    const client = createHttpClient({ peer: 'test', baseURL: peer.url, retries: 0 });
    const error = await failureOf(client.post('/Patient', {}));
    expect(error.code).toBe(AxiosError.ERR_BAD_REQUEST);
    expect(error.message).toBe('Request failed with status code 422');
    expect(error.response?.status).toBe(422);
    expect(error.response?.data).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ diagnostics: 'bad birthdate' }],
    });
  });

  it('times out a peer that does not answer, as axios names it', async () => {
    const silent = await rawPeer(() => undefined);
    const client = createHttpClient({ peer: 'test', baseURL: silent.url, timeoutMs: 100, retries: 0 });
    const error = await failureOf(client.get('/'));
    expect(error.code).toBe('ECONNABORTED');
    expect(error.message).toBe('timeout of 100ms exceeded');
    expect(error.response).toBeUndefined();
  });

  it('does not count the wait for a connection against the timeout', async () => {
    // Each answer comes just within the timeout; the third waits two answers' time for the connection.
    // (undici checks its timeouts about every half second: the wait is made longer than that.)
    const slow = await rawPeer((_req, res) => {
      setTimeout(() => res.end('{}'), 700);
    });
    const client = createHttpClient({
      peer: 'test',
      baseURL: slow.url,
      timeoutMs: 1000,
      retries: 0,
      maxInFlight: 1,
    });
    const answers = await Promise.all([client.get('/'), client.get('/'), client.get('/')]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('names a refused connection ECONNREFUSED', async () => {
    const gone = await rawPeer(() => undefined);
    await closed(gone.server);
    const client = createHttpClient({ peer: 'test', baseURL: gone.url, retries: 0 });
    const error = await failureOf(client.post('/Patient', {}));
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.response).toBeUndefined();
  });

  it('names a peer that hangs up ECONNRESET, and tries a safe request again', async () => {
    let calls = 0;
    const flaky = await rawPeer((req, res) => {
      calls += 1;
      if (calls === 1) req.socket.destroy();
      else res.end('{"ok":true}');
    });
    const client = createHttpClient({ peer: 'test', baseURL: flaky.url, retries: 1, retryDelayMs: 1 });
    expect((await client.get('/')).data).toEqual({ ok: true });
    expect(calls).toBe(2);

    calls = 0;
    const error = await failureOf(client.post('/', {}));
    expect(error.code).toBe('ECONNRESET');
    expect(calls).toBe(1); // a POST that may have been done is not sent twice
  });
});
