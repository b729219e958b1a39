// A report costs the FHIR server one read (a batch: its patient and what is stored of it) and one
// transaction; an unchanged re-push only the read (issue #20: ingest at ≥ 400 reports/s).
import { startTestFhirServer } from '@cht-openmrs/fhir-store';
import { countingProxy, type CountingProxy } from '../../common/src/test-support/counting-proxy';
import { startChtMediator, type RunningMediator } from './test-support/cht-mediator-harness';

const report = (id: string, patient: string, weight = 62.5) => ({
  id,
  form: 'height_weight',
  patient_uuid: patient,
  reported_date: 1717236000000,
  observations: [
    { code: '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueQuantity: { value: weight, unit: 'kg' } },
    { code: '5090AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueQuantity: { value: 165, unit: 'cm' } },
  ],
});

describe('CHT mediator requests to the FHIR server per report', () => {
  let store: Awaited<ReturnType<typeof startTestFhirServer>>;
  let proxy: CountingProxy;
  let mediator: RunningMediator;

  beforeEach(async () => {
    store = await startTestFhirServer();
    proxy = await countingProxy(store.url);
    mediator = await startChtMediator(proxy.url);
  });
  afterEach(async () => {
    await mediator.close();
    await proxy.close();
    await store.close();
  });

  it('reads once and writes once for a new or changed report, only reads for an unchanged one', async () => {
    await mediator.http.post('/cht/patient', {
      doc: { _id: 'person-1', name: 'Jane Doe', sex: 'female', date_of_birth: '1990-05-01' },
    });
    proxy.reset();
    expect((await mediator.http.post('/cht/encounter', report('r-1', 'person-1'))).status).toBe(201);
    expect(proxy.byMethod()).toEqual({ POST: 2 });
    proxy.reset();
    expect((await mediator.http.post('/cht/encounter', report('r-1', 'person-1'))).status).toBe(200);
    expect(proxy.byMethod()).toEqual({ POST: 1 });
    proxy.reset();
    expect((await mediator.http.post('/cht/encounter', report('r-1', 'person-1', 63))).status).toBe(200);
    expect(proxy.byMethod()).toEqual({ POST: 2 });
    const [observation] = await mediator.fhir.searchAll('Observation', {
      code: '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(observation?.valueQuantity?.value).toBe(63);
  });

  it('keeps a report that came before its patient, and links it when the patient arrives', async () => {
    expect((await mediator.http.post('/cht/encounter', report('r-2', 'person-2'))).status).toBe(202);
    await mediator.http.post('/cht/patient', {
      doc: { _id: 'person-2', name: 'Late Patient', sex: 'female', date_of_birth: '1990-05-01' },
    });
    const [encounter] = await mediator.fhir.searchAll('Encounter', { _id: 'cht-r-2' });
    expect(encounter?.subject?.reference).toMatch(/^Patient\//);
  });
});
