// The retry queue on a real FHIR server (the embedded store; HAPI under `npm run test:hapi`): an item whose
// focus is an OpenMRS resource, not one on the FHIR server, is queued all the same (HAPI's referential
// integrity refuses a Task.focus reference to a missing resource).
import { FhirClient } from '@cht-openmrs/common';
import { startTestFhirServer, type TestFhirServer } from '@cht-openmrs/fhir-store';
import { RetryQueue } from './retry-queue';

let server: TestFhirServer;
let queue: RetryQueue;

beforeEach(async () => {
  server = await startTestFhirServer();
  queue = new RetryQueue(new FhirClient({ baseURL: server.url, retries: 0 }), {
    maxAttempts: 3,
    baseDelaySeconds: 1,
    maxDelaySeconds: 60,
  });
});
afterEach(() => server.close());

it('queues an OpenMRS item whose focus is no resource on the FHIR server', async () => {
  const focus = 'Patient/7b272728-a184-4ac5-b1f8-0edc77475574';
  await queue.failed('patients-from-openmrs', focus, 'CHT refused the person');
  const [item] = await queue.open('patients-from-openmrs');
  expect(item).toMatchObject({ focus, attempts: 1, lastError: 'CHT refused the person' });
});
