// Seeds the local demo (`npm start`), once: a CHT hierarchy with two CHW areas, two CHT patients and a
// height/weight report; two OpenMRS patients whose addresses name a CHW area, one with a completed visit.
// Then it asks OpenHIM to run the sync now instead of within the minute. Stand-ins only; never production.
import axios, { type AxiosInstance } from 'axios';

type Env = NodeJS.ProcessEnv;

const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };
const ADDRESS = 'http://fhir.openmrs.org/ext/address';
const FACILITY_VISIT = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
const VITALS = '67a71486-1a54-468f-ac3e-7091a9a79584';
const WEIGHT = '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function placeIdOf(cht: AxiosInstance, id: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const placeId = (await cht.get(`/medic/${id}`)).data.place_id as string | undefined;
    if (placeId) return placeId;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`CHT gave place ${id} no place_id`);
}

async function seedCht(
  cht: AxiosInstance,
  env: Env,
): Promise<Record<string, { id: string; placeId: string }>> {
  await cht.put('/api/v1/credentials/openhim1', env.OPENHIM_CLIENT_PASSWORD ?? '', {
    headers: { 'Content-Type': 'text/plain' },
  });
  const place = async (body: Record<string, unknown>) =>
    (await cht.post('/api/v1/places', body, JSON_BODY)).data.id as string;
  const district = await place({ name: 'Demo District', type: 'district_hospital' });
  const centre = await place({ name: 'Lakeside Health Centre', type: 'health_center', parent: district });
  const areas: Record<string, { id: string; placeId: string }> = {};
  for (const name of ['CHW area Lakeside A', 'CHW area Lakeside B']) {
    const id = await place({ name, type: 'clinic', parent: centre });
    areas[name] = { id, placeId: await placeIdOf(cht, id) };
  }
  const areaA = areas['CHW area Lakeside A']?.id;
  const person = async (name: string, sex: string, dateOfBirth: string) =>
    (
      await cht.post(
        '/api/v1/people',
        {
          name,
          type: 'person',
          role: 'patient',
          sex,
          date_of_birth: dateOfBirth,
          phone: '+254712345678',
          place: areaA,
        },
        JSON_BODY,
      )
    ).data.id as string;
  const amina = await person('Amina Otieno', 'female', '1994-03-12');
  await person('Juma Ochieng', 'male', '1987-09-30');
  await cht.put(
    '/medic/demo-report-amina-1',
    {
      type: 'data_record',
      form: 'height_weight',
      reported_date: Date.now() - 2 * 3600_000,
      fields: { patient_uuid: amina, weight: '63.5', height: '164' },
    },
    JSON_BODY,
  );
  return areas;
}

async function seedOpenmrs(
  openmrs: AxiosInstance,
  areas: Record<string, { placeId: string }>,
): Promise<void> {
  const patient = async (card: string, given: string, family: string, gender: string, address5: string) =>
    (
      await openmrs.post('/Patient', {
        resourceType: 'Patient',
        identifier: [{ use: 'official', type: { text: 'ID Card' }, value: card }],
        name: [{ given: [given], family }],
        gender,
        birthDate: '1982-06-15',
        address: [
          {
            use: 'home',
            extension: [{ url: ADDRESS, extension: [{ url: `${ADDRESS}#address5`, valueString: address5 }] }],
          },
        ],
      })
    ).data.id as string;
  const wanjiku = await patient(
    'DEMO-ID-1',
    'Wanjiku',
    'Kamau',
    'female',
    `CHW area Lakeside B [${areas['CHW area Lakeside B']?.placeId}]`,
  );
  await patient('DEMO-ID-2', 'Baraka', 'Mwangi', 'male', 'CHW area Lakeside A');
  const subject = { reference: `Patient/${wanjiku}`, type: 'Patient' };
  const start = new Date(Date.now() - 3 * 3600_000);
  const at = (minutes: number) =>
    new Date(start.getTime() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const visit = (
    await openmrs.post('/Encounter', {
      resourceType: 'Encounter',
      status: 'unknown',
      class: {},
      subject,
      type: [
        { coding: [{ system: 'http://fhir.openmrs.org/code-system/visit-type', code: FACILITY_VISIT }] },
      ],
      period: { start: at(0), end: at(60) },
    })
  ).data.id as string;
  const vitals = (
    await openmrs.post('/Encounter', {
      resourceType: 'Encounter',
      status: 'unknown',
      class: {},
      subject,
      type: [{ coding: [{ system: 'http://fhir.openmrs.org/code-system/encounter-type', code: VITALS }] }],
      partOf: { reference: `Encounter/${visit}`, type: 'Encounter' },
      period: { start: at(15) },
    })
  ).data.id as string;
  await openmrs.post('/Observation', {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ code: WEIGHT }] },
    subject,
    encounter: { reference: `Encounter/${vitals}`, type: 'Encounter' },
    effectiveDateTime: at(15),
    valueQuantity: { value: 70 },
  });
}

/** Seeds once (a second start finds "Demo District" and leaves everything as it is); true when it seeded. */
export async function seedDemo(env: Env): Promise<boolean> {
  const cht = axios.create({
    baseURL: env.CHT_URL,
    auth: { username: env.CHT_USERNAME ?? '', password: env.CHT_PASSWORD ?? '' },
  });
  const seeded = await cht.post(
    '/medic/_find',
    { selector: { type: 'district_hospital', name: 'Demo District' } },
    JSON_BODY,
  );
  if ((seeded.data.docs as unknown[]).length > 0) return false;
  const openmrs = axios.create({
    baseURL: `http://${env.OPENMRS_HOST}:${env.OPENMRS_PORT}/openmrs/ws/fhir2/R4`,
    auth: { username: env.OPENMRS_USERNAME ?? '', password: env.OPENMRS_PASSWORD ?? '' },
    headers: { 'Content-Type': 'application/fhir+json' },
  });
  await seedOpenmrs(openmrs, await seedCht(cht, env));
  return true;
}

/** Asks OpenHIM to run the sync polling channel now (the stand-in's and core's `POST /channels/:id/trigger`). */
export async function triggerSync(env: Env): Promise<void> {
  const openhim = axios.create({
    baseURL: env.OPENHIM_API_URL,
    auth: { username: env.OPENHIM_USERNAME ?? '', password: env.OPENHIM_PASSWORD ?? '' },
  });
  const channels = (await openhim.get<{ _id: string; name: string }[]>('/channels')).data;
  const sync = channels.find((c) => c.name === 'OpenMRS sync');
  if (sync) await openhim.post(`/channels/${sync._id}/trigger`);
}
