import type { Server } from 'node:http';
import axios from 'axios';
import express from 'express';
import { FhirError } from '../fhir/fhir-errors';
import { createLogger } from '../logging/logger';
import { basicAuth, closeServer, errorHandler, HttpError, listen, requestContext, serverUrl } from './server';

describe('the Express edge', () => {
  let server: Server;
  let url: string;
  const request = { peer: 'FHIR', method: 'GET', url: 'http://fhir/Patient/1' };

  beforeAll(async () => {
    const logger = createLogger('test', 'silent');
    const app = express();
    app.use(requestContext(logger));
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(basicAuth('mediator', 's3cret'));
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.get('/invalid', () => {
      throw new HttpError(400, 'doc.name: required', { fields: ['doc.name'] });
    });
    app.get('/peer-refused', () => {
      throw new FhirError(request, 400, undefined, 'HAPI-1094: Resource Patient/x not found');
    });
    app.get('/peer-down', () => {
      throw new FhirError(request, undefined, undefined, 'ECONNREFUSED');
    });
    app.get('/bug', () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    app.use(errorHandler(logger));
    server = await listen(app, 0, '127.0.0.1');
    url = serverUrl(server);
  });
  afterAll(() => closeServer(server));

  const auth = { username: 'mediator', password: 's3cret' };
  const get = (path: string, withAuth = true) =>
    axios.get(`${url}${path}`, { validateStatus: () => true, ...(withAuth ? { auth } : {}) });

  it('lets health through without credentials and asks for them elsewhere', async () => {
    expect((await get('/', false)).status).toBe(200);
    const denied = await get('/invalid', false);
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="mediator"');
    const wrong = await axios.get(`${url}/invalid`, {
      validateStatus: () => true,
      auth: { ...auth, password: 'x' },
    });
    expect(wrong.status).toBe(401);
  });

  it('answers HttpError with its status, message and details', async () => {
    const response = await get('/invalid');
    expect(response.status).toBe(400);
    expect(response.data).toEqual({ error: 'doc.name: required', details: { fields: ['doc.name'] } });
  });

  it('answers a peer that refused with 502 and a peer that is down with 503', async () => {
    expect((await get('/peer-refused')).status).toBe(502);
    expect((await get('/peer-refused')).data.error).toContain('HAPI-1094');
    expect((await get('/peer-down')).status).toBe(503);
  });

  it('answers unknown errors with 500 and does not leak them', async () => {
    const response = await get('/bug');
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.data)).not.toContain('Cannot read');
  });

  it('answers a body that is not JSON with 400 naming the problem', async () => {
    const response = await axios.post(`${url}/echo`, '{"doc": ', {
      auth,
      headers: { 'Content-Type': 'application/json' },
      validateStatus: () => true,
    });
    expect(response.status).toBe(400);
    expect(response.data.error).toMatch(/^request body is not valid JSON/);
  });

  it('gives every response a correlation id', async () => {
    expect((await get('/')).headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
