// A peer that answers every request at once with a created Observation, as OpenMRS answers the sync's
// most frequent write; alone in its process, so that the client's CPU is measured apart from it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = JSON.stringify({
  resourceType: 'Observation',
  id: '3f7a5c2e-8b1d-4e6f-9a0b-1c2d3e4f5a6b',
  meta: { lastUpdated: '2024-06-01T08:00:00.000+00:00', versionId: '1717228800000' },
  status: 'final',
  code: { coding: [{ code: '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', display: 'Weight (kg)' }] },
  subject: { reference: 'Patient/7c1e2d3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f', type: 'Patient' },
  encounter: { reference: 'Encounter/9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4', type: 'Encounter' },
  effectiveDateTime: '2024-06-01T08:00:00+00:00',
  valueQuantity: { value: 61.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
});

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'Content-Type': 'application/fhir+json' });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on('SIGTERM', () => process.exit(0));
