// Seeds the local demo (`npm start`), once: a CHT hierarchy with two CHW areas, two CHT patients and a
// height/weight report; two OpenMRS patients whose addresses name a CHW area, one with a completed visit.
// Then it asks OpenHIM to run the sync now instead of within the minute. Stand-ins only; never production.
import axios, { type AxiosInstance } from 'axios';
import type { Patient } from 'fhir/r4';
// The factories only (not the stand-in's index): this script runs from the root, without the workspace paths.
import {
  addressWith,
  FACILITY_VISIT,
  patientWith,
  recordCompletedVisit,
  VITALS,
  WEIGHT,
} from '../sandbox/src/openmrs/test-support/factories';

type Env = NodeJS.ProcessEnv;

const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

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
  const create = async <T>(body: T): Promise<T> =>
    (await openmrs.post<T>(`/${(body as { resourceType: string }).resourceType}`, body)).data;
  const patient = (
    card: string,
    given: string,
    family: string,
    gender: Patient['gender'],
    address5: string,
  ) =>
    create(
      patientWith(
        { type: 'ID Card', value: card },
        {
          name: [{ given: [given], family }],
          gender,
          birthDate: '1982-06-15',
          address: [addressWith({ address5 })],
        },
      ),
    );
  const areaB = areas['CHW area Lakeside B']?.placeId;
  const wanjiku = await patient('DEMO-ID-1', 'Wanjiku', 'Kamau', 'female', `CHW area Lakeside B [${areaB}]`);
  await patient('DEMO-ID-2', 'Baraka', 'Mwangi', 'male', 'CHW area Lakeside A');
  const start = Date.now() - 3 * 3600_000;
  const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await recordCompletedVisit(
    create,
    wanjiku.id as string,
    { type: FACILITY_VISIT, encounterType: VITALS, start: at(0), end: at(60), encounterAt: at(15) },
    { [WEIGHT]: 70 },
  );
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
