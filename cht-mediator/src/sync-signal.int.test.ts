// The CHT mediator asks for a sync once it stored something (SYNC_SIGNAL_URL): authenticated, only for
// writes, coalesced while one is in flight, and never in the way of the push's own answer.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestFhirServer } from '@cht-openmrs/fhir-store';
import { startChtMediator, type RunningMediator } from './test-support/cht-mediator-harness';

const person = (name: string) => ({
  doc: { _id: 'person-1', name, sex: 'female', date_of_birth: '1990-05-01', patient_id: '12345' },
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the sync signal', () => {
  let store: Awaited<ReturnType<typeof startTestFhirServer>>;
  let receiver: Server;
  let received: IncomingMessage[];
  let answerAfterMs: number;
  let mediator: RunningMediator;

  beforeEach(async () => {
    store = await startTestFhirServer();
    received = [];
    answerAfterMs = 0;
    receiver = createServer((req, res) => {
      received.push(req);
      setTimeout(() => res.writeHead(202).end('{}'), answerAfterMs);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    mediator = await startChtMediator(store.url, {
      SYNC_SIGNAL_URL: `http://127.0.0.1:${port}/sync/signal`,
      OPENMRS_MEDIATOR_USERNAME: 'sync-user',
      OPENMRS_MEDIATOR_PASSWORD: 'sync-password',
    });
  });
  afterEach(async () => {
    await mediator.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await store.close();
  });

  it('is sent, authenticated, when a push stored something, and not for a push that changed nothing', async () => {
    expect((await mediator.http.post('/cht/patient', person('Jane Doe'))).status).toBe(201);
    await settle(100);
    expect(received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/sync/signal', `Basic ${Buffer.from('sync-user:sync-password').toString('base64')}`],
    ]);
    expect((await mediator.http.post('/cht/patient', person('Jane Doe'))).status).toBe(200);
    await settle(100);
    expect(received).toHaveLength(1);
  });

  it('sends one more after the one in flight, however many pushes came meanwhile', async () => {
    answerAfterMs = 300;
    for (let i = 0; i < 5; i++) await mediator.http.post('/cht/patient', person(`Jane ${i}`));
    await settle(800);
    expect(received).toHaveLength(2);
  });

  it('does not hold up or fail a push when the OpenMRS mediator is down', async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    const answer = await mediator.http.post('/cht/patient', person('Jane Doe'));
    expect(answer.status).toBe(201);
    receiver = createServer(); // for afterEach
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
});
