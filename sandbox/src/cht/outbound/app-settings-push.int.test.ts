// Outbound push driven by a real app_settings.json outbound section (fixtures/app_settings.json, the
// reference mediator's config shapes, cht.md §4) to a loopback receiver: exact bodies and headers.
import { arch, platform } from 'node:os';
import { type ChtSandbox, FIXTURE_APP_SETTINGS, startChtSandbox } from '../index';
import { call } from '../test-support/client';
import { type Receiver, startReceiver } from '../test-support/receiver';

let rx: Receiver;
let cht: ChtSandbox;

beforeEach(async () => {
  rx = await startReceiver();
  // Only the destination host changes: the rest of the outbound section is the file's.
  cht = await startChtSandbox({ appSettingsPath: FIXTURE_APP_SETTINGS, outboundBaseUrl: rx.url });
  await call(cht.url, 'PUT', '/api/v1/credentials/openhim1', {
    body: 'interop-password',
    contentType: 'text/plain',
  });
});
afterEach(async () => {
  await cht.close();
  await rx.close();
});

const api = (method: string, path: string, body?: unknown) => call(cht.url, method, path, { body });
const AUTH = `Basic ${Buffer.from('interop-client:interop-password').toString('base64')}`;

function expectHeaders(headers: Record<string, unknown>, body: string, extra: Record<string, unknown> = {}) {
  expect(headers).toEqual({
    host: rx.url.replace('http://', ''),
    connection: 'keep-alive',
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: AUTH,
    'user-agent': `Community Health Toolkit/5.2.0 (${platform()},${arch()})`,
    'accept-language': '*',
    'sec-fetch-mode': 'cors',
    'accept-encoding': 'gzip, deflate',
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
}

it('pushes patients, patient ids and encounters exactly as the fixture app_settings.json configures them', async () => {
  const hc = (
    await api('POST', '/api/v1/places', {
      type: 'health_center',
      name: 'HC',
      parent: { type: 'district_hospital', name: 'DH' },
    })
  ).json as { id: string };
  const clinic = (await api('POST', '/api/v1/places', { type: 'clinic', name: 'Clinic', parent: hc.id }))
    .json as { id: string };
  const person = (
    await api('POST', '/api/v1/people', {
      name: 'John Test',
      phone: '+254712345678',
      date_of_birth: '1980-06-06',
      sex: 'male',
      role: 'patient',
      place: clinic.id,
    })
  ).json as { id: string };
  await cht.sentinelPass();
  const personDoc = (await api('GET', `/medic/${person.id}`)).json as { patient_id: string };
  const clinicDoc = (await api('GET', `/medic/${clinic.id}`)).json as { place_id: string };

  const patientBody = `{"doc":{"_id":"${person.id}","name":"John Test","phone":"+254712345678","date_of_birth":"1980-06-06","sex":"male","patient_id":"${personDoc.patient_id}"}}`;
  const [patientPush] = rx.received;
  expect(rx.received).toHaveLength(1);
  expect(patientPush?.method).toBe('POST');
  expect(patientPush?.url).toBe('/mediator/cht/patient');
  expect(patientPush?.body).toBe(patientBody);
  expectHeaders(patientPush?.headers ?? {}, patientBody);

  const registration = (
    await api('POST', '/api/v2/records', {
      _meta: { form: 'interop_patient' },
      patient_name: 'Baby',
      age_in_days: 30,
      external_id: 'openmrs-uuid-1',
      location_id: clinicDoc.place_id,
    })
  ).json as { id: string };
  const report = (await api('GET', `/medic/${registration.id}`)).json as { patient_id: string };
  const idsBody = `{"doc":{"id":"${registration.id}","patient_id":"${report.patient_id}","external_id":"openmrs-uuid-1"}}`;
  const idsPush = rx.received[1];
  expect(idsPush?.url).toBe('/mediator/cht/patient_ids');
  expect(idsPush?.body).toBe(idsBody);
  // Pushed from inside the API request: the request id travels along.
  expectHeaders(idsPush?.headers ?? {}, idsBody, { 'x-request-id': expect.any(String) });

  const followUp = (
    await api('POST', '/api/v2/records', {
      _meta: { form: 'INTEROP_FOLLOW_UP', reported_date: 1718000000000 },
      patient_uuid: person.id,
      visit_date: '2024-06-10T00:00:00Z',
      referred: 1,
    })
  ).json as { id: string };
  const encounterBody = `{"id":"${followUp.id}","patient_uuid":"${person.id}","reported_date":1718000000000,"observations":[{"code":"1234AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","valueCode":"yes"},{"code":"5096AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","valueDateTime":${Date.UTC(2024, 5, 10)}}]}`;
  expect(rx.received[2]?.url).toBe('/mediator/cht/encounter');
  expect(rx.received[2]?.body).toBe(encounterBody);

  // Sentinel then sees the saved records and the registration-created person: nothing new to send
  // (same payloads; the created person has no role, so the patient config is not relevant to it).
  await cht.sentinelPass();
  expect(rx.received.map((r) => r.url)).toEqual([
    '/mediator/cht/patient',
    '/mediator/cht/patient_ids',
    '/mediator/cht/encounter',
  ]);
  expect((await cht.outbound()).tasks).toEqual([]);
});
