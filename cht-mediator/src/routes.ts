// Thin handlers: parse the push, call the store, answer in the OpenHIM mediator format.
// Status codes drive CHT's retries (cht.md §1.6): 2xx only once the FHIR write is durable.
import { Router } from 'express';
import { sendMediatorResponse, withIdentifier } from '@cht-openmrs/common';
import { patientToFhir } from './mapping/patient-to-fhir';
import { CHT_MEDIATOR_URN } from './mediator-config';
import { parsePatientPush, parseReportPush, parseShortcodeLink } from './push/payloads';
import { wrote, type PatientStore } from './store/patient-store';
import type { ReportStore } from './store/report-store';

// A stale push (an older version than the one stored) is answered 200: CHT must not send it again.
const STATUS = { created: 201, updated: 200, unchanged: 200, stale: 200 } as const;

/** `stored` is told whenever a push wrote something the sync may send (see sync-signal.ts). */
export function pushRoutes(
  patients: PatientStore,
  reports: ReportStore,
  stored: () => void = () => {},
): Router {
  const router = Router();

  router.post('/cht/patient', async (req, res) => {
    const person = parsePatientPush(req.body);
    const { patient, outcome } = await patients.upsert(
      patientToFhir(person),
      person.docId,
      person.openmrsUuid,
    );
    const references = [person.docId, ...(person.shortcode ? [person.shortcode] : [])];
    const linkedReports = await reports.linkWaitingReports(patient, references);
    if (wrote(outcome) || linkedReports > 0) stored();
    const body = { id: patient.id, outcome, linkedReports };
    sendMediatorResponse(
      res,
      CHT_MEDIATOR_URN,
      { status: STATUS[outcome], body },
      // chtDocument: the operator console finds the pushes of a document by it (filters on properties)
      { properties: { outcome, linkedReports, chtDocument: person.docId } },
    );
  });

  router.post('/cht/patient_ids', async (req, res) => {
    const link = parseShortcodeLink(req.body);
    if (!(await patients.findBy('openmrsUuid', link.openmrsUuid))) {
      // Not 2xx: CHT keeps it queued and retries, so the link is made once the patient is synced.
      const error = `no Patient with OpenMRS uuid ${link.openmrsUuid} on the FHIR server yet; CHT will retry`;
      sendMediatorResponse(res, CHT_MEDIATOR_URN, { status: 404, body: { error } });
      return;
    }
    await patients.assertLinked(link.docId, link.openmrsUuid);
    const result = await patients.change('openmrsUuid', link.openmrsUuid, (p) =>
      withIdentifier(p, 'chtPatientId', link.shortcode),
    );
    if (!result) throw new Error(`Patient with OpenMRS uuid ${link.openmrsUuid} vanished while linking`);
    if (wrote(result.outcome)) stored();
    const body = { id: result.patient.id, outcome: result.outcome };
    sendMediatorResponse(
      res,
      CHT_MEDIATOR_URN,
      { status: 200, body },
      { properties: { outcome: result.outcome } },
    );
  });

  router.post('/cht/encounter', async (req, res) => {
    const report = parseReportPush(req.body);
    const result = await reports.upsert(report);
    if (wrote(result.outcome) && !result.awaitingPatient) stored();
    const status = result.awaitingPatient && result.outcome !== 'stale' ? 202 : STATUS[result.outcome];
    const body = {
      id: result.encounterId,
      ...result,
      observations: report.observations.length,
      omitted: report.omitted,
    };
    const properties = {
      chtDocument: report.id,
      outcome: result.outcome,
      awaitingPatient: result.awaitingPatient,
      observations: report.observations.length,
    };
    sendMediatorResponse(res, CHT_MEDIATOR_URN, { status, body }, { properties });
  });

  return router;
}
