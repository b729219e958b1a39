// CHT data for the sync benchmarks, written straight into the FHIR store as the CHT mediator maps it
// (its own mapping functions), 25 patients to a transaction: loading 20,000 patients through the push
// endpoint would take longer than syncing them.
import type { BundleEntry } from 'fhir/r4';
import { FhirClient } from '@cht-openmrs/common';
import { patientToFhir } from '../../cht-mediator/src/mapping/patient-to-fhir';
import { reportToFhir } from '../../cht-mediator/src/mapping/report-to-fhir';
import { parsePatientPush, parseReportPush } from '../../cht-mediator/src/push/payloads';
import { pool } from '../measure';

export const FORM = 'bench_visit';
export const REPORTS_PER_PATIENT = 2;
export const CONCEPTS: [string, number][] = [
  ['5089', 61.5],
  ['5090', 165],
  ['5088', 36.6],
  ['5085', 120],
  ['5086', 80],
].map(([id, value]) => [String(id).padEnd(36, 'A'), Number(value)]);

export const personPush = (i: number) => ({
  doc: {
    _id: `person-${i}`,
    name: `Bench Person ${i}`,
    sex: 'female',
    date_of_birth: '1990-01-01',
    patient_id: String(100000 + i),
  },
});

export const reportPush = (
  i: number,
  r: number,
  at = Date.parse('2024-06-01T08:00:00Z') + r * 3_600_000,
) => ({
  id: `report-${i}-${r}`,
  form: FORM,
  patient_uuid: `person-${i}`,
  reported_date: at,
  observations: CONCEPTS.map(([code, value]) => ({ code, valueDecimal: value })),
});

/** Patients `from` … `from + count - 1`, each with `reports` reports, written in transactions. */
export async function loadChtData(fhirUrl: string, from: number, count: number, reports: number) {
  const fhir = new FhirClient({ baseURL: fhirUrl, timeoutMs: 120_000 });
  const perBundle = 25;
  await pool(Math.ceil(count / perBundle), 2, async (b) => {
    const entries: BundleEntry[] = [];
    for (let i = from + b * perBundle; i < Math.min(from + count, from + (b + 1) * perBundle); i++) {
      const fullUrl = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      entries.push({
        fullUrl,
        resource: patientToFhir(parsePatientPush(personPush(i))),
        request: { method: 'POST', url: 'Patient' },
      });
      for (let r = 0; r < reports; r++) {
        const { encounter, observations } = reportToFhir(parseReportPush(reportPush(i, r)), {
          reference: fullUrl,
        });
        for (const resource of [encounter, ...observations])
          entries.push({
            resource,
            request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
          });
      }
    }
    await fhir.transaction(entries);
  });
}
