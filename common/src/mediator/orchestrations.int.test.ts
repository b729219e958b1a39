// A real service (Express + our edge middleware) calls a real loopback peer while serving; every call
// must show up as an orchestration of that request, and of no other.
import type { Server } from 'node:http';
import axios from 'axios';
import express from 'express';
import { FhirClient } from '../fhir/fhir-client';
import { createHttpClient } from '../http/http-client';
import { closeServer, errorHandler, listen, requestContext, serverUrl } from '../http/server';
import { createLogger } from '../logging/logger';
import { startLoopbackPeer, type LoopbackPeer } from '../test-support/loopback-server';
import { MAX_BODY_CHARS } from './orchestration';
import { MEDIATOR_CONTENT_TYPE, sendMediatorResponse, type MediatorResponse } from './mediator-response';

const URN = 'urn:mediator:test';
const logger = createLogger('test', 'silent');

describe('orchestrations recorded from outbound calls', () => {
  let peer: LoopbackPeer;
  let service: Server;
  let serviceUrl: string;

  beforeAll(async () => {
    peer = await startLoopbackPeer('/fhir');
    peer.answer((req, res) => {
      if (req.path.endsWith('/big'))
        return res.json({ resourceType: 'Patient', id: 'big', text: 'x'.repeat(50_000) });
      if (req.path.endsWith('/down')) return res.status(503).json({ error: 'down' });
      const delay = Number(req.query.delay ?? 0);
      setTimeout(() => res.json({ resourceType: 'Patient', id: req.path.split('/').pop() }), delay);
    });
    const fhir = new FhirClient({
      baseURL: peer.url,
      username: 'user',
      password: 'secret',
      retries: 1,
      retryDelayMs: 5,
    });
    const other = createHttpClient({ peer: 'CHT', baseURL: peer.url });

    const app = express();
    app.use(requestContext(logger));
    app.get('/two-calls/:id', async (req, res) => {
      await fhir.read('Patient', req.params.id);
      await other.get(`/Patient/${req.params.id}-cht`, { params: { delay: req.query.delay } });
      sendMediatorResponse(res, URN, { status: 200, body: { ok: true } }, { properties: { patients: 1 } });
    });
    app.get('/big', async (_req, res) => {
      await fhir.read('Patient', 'big');
      sendMediatorResponse(res, URN, { status: 200, body: 'done' });
    });
    app.get('/fails', async () => {
      await fhir.read('Patient', 'down');
    });
    app.use(errorHandler(logger, URN));
    service = await listen(app, 0, '127.0.0.1');
    serviceUrl = serverUrl(service);
  });

  afterAll(async () => {
    await closeServer(service);
    await peer.close();
  });

  it('answers in the OpenHIM mediator format with one orchestration per outbound call', async () => {
    const response = await axios.get(`${serviceUrl}/two-calls/p1`, {
      headers: { 'X-OpenHIM-TransactionID': 'tx-1' },
    });

    expect(response.headers['content-type']).toContain(MEDIATOR_CONTENT_TYPE);
    expect(response.headers['x-correlation-id']).toBe('tx-1');
    const body = response.data as MediatorResponse;
    expect(body).toMatchObject({
      'x-mediator-urn': URN,
      status: 'Successful',
      response: { status: 200, body: '{"ok":true}' },
      properties: { patients: 1 },
    });
    expect(body.orchestrations.map((o) => o.name)).toEqual([
      'FHIR GET /fhir/Patient/p1',
      'CHT GET /fhir/Patient/p1-cht',
    ]);
    const [fhirCall] = body.orchestrations;
    expect(fhirCall?.request).toMatchObject({ method: 'GET', host: '127.0.0.1', path: '/fhir/Patient/p1' });
    expect(fhirCall?.request.headers.Authorization).toBe('[redacted]');
    expect(JSON.parse(fhirCall?.response?.body ?? '')).toEqual({ resourceType: 'Patient', id: 'p1' });
    expect(fhirCall?.response?.status).toBe(200);
    expect(Date.parse(fhirCall?.request.timestamp ?? '')).not.toBeNaN();
  });

  it('keeps concurrent requests apart', async () => {
    const [slow, fast] = await Promise.all([
      axios.get(`${serviceUrl}/two-calls/slow?delay=100`),
      axios.get(`${serviceUrl}/two-calls/fast`),
    ]);
    const names = (r: typeof slow) => (r.data as MediatorResponse).orchestrations.map((o) => o.name);
    expect(names(slow)).toEqual(['FHIR GET /fhir/Patient/slow', 'CHT GET /fhir/Patient/slow-cht']);
    expect(names(fast)).toEqual(['FHIR GET /fhir/Patient/fast', 'CHT GET /fhir/Patient/fast-cht']);
    expect((slow.data as MediatorResponse).orchestrations[1]?.request.querystring).toBe('delay=100');
  });

  it('cuts large bodies', async () => {
    const body = (await axios.get(`${serviceUrl}/big`)).data as MediatorResponse;
    const recorded = body.orchestrations[0]?.response?.body ?? '';
    expect(recorded.length).toBeLessThan(MAX_BODY_CHARS + 100);
    expect(recorded).toMatch(/\[cut: \d+ more characters\]$/);
  });

  it('records each failed attempt and answers a failing peer with 503 in the mediator format', async () => {
    const response = await axios.get(`${serviceUrl}/fails`, { validateStatus: () => true });
    expect(response.status).toBe(503);
    const body = response.data as MediatorResponse;
    expect(body.status).toBe('Failed');
    expect(body.error?.message).toContain('FHIR GET');
    expect(body.orchestrations.map((o) => o.response?.status)).toEqual([503, 503]); // first try and one retry
    expect(JSON.parse(body.response.body)).toEqual({ error: expect.stringContaining('failed: 503') });
  });
});
