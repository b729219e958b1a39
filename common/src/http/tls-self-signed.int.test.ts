// A peer over HTTPS with a self-signed certificate, as many OpenMRS and OpenHIM installs have: refused
// unless TLS_ALLOW_SELF_SIGNED (or OPENHIM_TRUST_SELF_SIGNED) says to trust it, both by our HTTP clients
// (undici under axios) and by the peer check that names the setting to fix.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AxiosError } from 'axios';
import { generate } from 'selfsigned';
import { checkPeer, type PeerTarget } from '../peers/peer-check';
import { createHttpClient } from './http-client';

let server: Server;
let url: string;
beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
  server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
    res.end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', total: 0, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/openmrs`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

describe('a peer with a self-signed certificate', () => {
  it('is refused by our HTTP client by default, with the TLS code, and reached when allowed', async () => {
    const strict = createHttpClient({ peer: 'OpenMRS', baseURL: url, retries: 0 });
    const refusal = await strict.get('/ws/fhir2/R4/Patient').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AxiosError);
    expect((refusal as AxiosError).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');

    const trusting = createHttpClient({ peer: 'OpenMRS', baseURL: url, allowSelfSigned: true });
    const answer = await trusting.get('/ws/fhir2/R4/Patient', { params: { _count: 1 } });
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({
      resourceType: 'Bundle',
      path: '/openmrs/ws/fhir2/R4/Patient?_count=1',
    });
  });

  it('is named by the peer check as a certificate problem to fix, and passes it when allowed', async () => {
    const target: PeerTarget = {
      peer: 'OpenMRS',
      url,
      probePath: '/ws/fhir2/R4/Patient?_count=1',
      username: 'admin',
      password: 'Admin123',
      settings: { address: 'OPENMRS_HOST', tls: 'TLS_ALLOW_SELF_SIGNED' },
    };
    expect(await checkPeer(target)).toMatchObject({
      ok: false,
      fatal: true,
      problem: `TLS_ALLOW_SELF_SIGNED: OpenMRS at ${url} has a TLS certificate that is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    });
    expect(await checkPeer({ ...target, allowSelfSigned: true })).toMatchObject({ ok: true });
  });
});
