// The one place that decides whether a CHT person already exists on the FHIR server, and writes it
// exactly once: found by identifier, created with If-None-Exist, updated with If-Match (re-read and
// re-applied when another writer came first). An update that changes nothing is not written.
// Ownership: a CHT document updates only the Patient linked to it. A person that came from OpenMRS is
// linked to the CHT document the sync created for it; any other document naming that OpenMRS uuid in
// `external_id` is refused (409), and a push never sets or changes an OpenMRS uuid.
import type { Patient, Reference } from 'fhir/r4';
import type { BundleEntry } from 'fhir/r4';
import {
  FhirClient,
  HttpError,
  IDENTIFIER_SYSTEMS,
  identifiersOf,
  tokenValue,
  toSearchParams,
  type IdentifierKind,
} from '@cht-openmrs/common';
import { chtDocumentIdOf, mergePatient } from '../mapping/patient-to-fhir';
import { sameContent } from '../mapping/same-content';
import { isOlder } from '../mapping/cht-revision';

/** `stale`: an older version of the CHT document than the one stored; nothing was written. */
export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'stale';

/** Whether the push wrote something (the sync then has work). */
export const wrote = (outcome: WriteOutcome) => outcome === 'created' || outcome === 'updated';

export class DuplicateRecordError extends Error {
  override name = 'DuplicateRecordError';
}

function onlyOne(kind: IdentifierKind, value: string, found: Patient[]): Patient | undefined {
  if (found.length > 1) {
    const ids = found.map((p) => p.id).join(', ');
    throw new DuplicateRecordError(
      `${found.length} Patients carry ${kind} ${value} (${ids}); merge them on the FHIR server`,
    );
  }
  return found[0];
}

export class PatientStore {
  constructor(private readonly fhir: FhirClient) {}

  /** The one Patient carrying that identifier; throws DuplicateRecordError if the ledger has two. */
  async findBy(kind: IdentifierKind, value: string): Promise<Patient | undefined> {
    const found = await this.fhir.findByIdentifier('Patient', IDENTIFIER_SYSTEMS[kind], value);
    return onlyOne(kind, value, found);
  }

  /** The searches `findByChtReference` makes, as entries of a batch (with other reads, one request). */
  static chtReferenceSearches(ref: string): BundleEntry[] {
    return (['chtDocumentId', 'chtPatientId'] as const).map((kind) => ({
      request: {
        method: 'GET',
        url: `Patient?${toSearchParams({ identifier: tokenValue(IDENTIFIER_SYSTEMS[kind], ref) })}`,
      },
    }));
  }

  /** `findByChtReference` from the answers of `chtReferenceSearches` (the same rules). */
  static fromChtReferenceSearches(ref: string, answers: (Patient[] | undefined)[]): Patient | undefined {
    const carrying = (kind: IdentifierKind, i: number) =>
      onlyOne(
        kind,
        ref,
        (answers[i] ?? []).filter((p) =>
          identifiersOf(p).some((id) => id.system === IDENTIFIER_SYSTEMS[kind] && id.value === ref),
        ),
      );
    return carrying('chtDocumentId', 0) ?? carrying('chtPatientId', 1);
  }

  /** The Patient a CHT report names: by CHT document id, else by CHT shortcode. */
  async findByChtReference(ref: string): Promise<Patient | undefined> {
    return (await this.findBy('chtDocumentId', ref)) ?? (await this.findBy('chtPatientId', ref));
  }

  /**
   * Creates the Patient, or merges CHT's demographics into the stored one linked to this document.
   * A document naming an OpenMRS patient (`external_id`) that is not linked to it is refused: see
   * `assertLinked`.
   */
  async upsert(
    fromCht: Patient,
    docId: string,
    openmrsUuid?: string,
  ): Promise<{ patient: Patient; outcome: WriteOutcome }> {
    let stored = await this.findBy('chtDocumentId', docId);
    if (!stored && openmrsUuid) await this.assertLinked(docId, openmrsUuid);
    if (!stored) {
      const { resource, created } = await this.fhir.createOnce(
        fromCht,
        IDENTIFIER_SYSTEMS.chtDocumentId,
        docId,
      );
      if (created) return { patient: resource, outcome: 'created' };
      stored = resource; // created by a concurrent push a moment ago: merge into it
    }
    let stale = false;
    const result = await this.write(stored, (current) => {
      stale = isOlder(fromCht, current);
      return stale ? current : mergePatient(current, fromCht);
    });
    return stale ? { ...result, outcome: 'stale' } : result;
  }

  /** Applies a change to the Patient found by identifier; undefined when there is none. */
  async change(
    kind: IdentifierKind,
    value: string,
    change: (stored: Patient) => Patient,
  ): Promise<{ patient: Patient; outcome: WriteOutcome } | undefined> {
    const stored = await this.findBy(kind, value);
    return stored ? this.write(stored, change) : undefined;
  }

  /**
   * Throws 409 unless the Patient of that OpenMRS uuid is linked to this CHT document. Not linked yet
   * (the sync has just created the person in CHT) is refused too: CHT retries, and succeeds once linked.
   */
  async assertLinked(docId: string, openmrsUuid: string): Promise<Patient> {
    const copy = await this.findBy('openmrsUuid', openmrsUuid);
    const linked = copy && chtDocumentIdOf(copy);
    if (copy && linked === docId) return copy;
    const state = !copy
      ? 'which is not on the FHIR server yet'
      : linked
        ? `which is linked to CHT document ${linked}`
        : 'which is linked to no CHT document yet';
    throw new HttpError(
      409,
      `CHT document ${docId} names OpenMRS patient ${openmrsUuid} in external_id, ${state}; only the CHT document linked to an OpenMRS patient may update it (CHT retries: this heals once the sync has linked the person it created)`,
    );
  }

  private async write(
    stored: Patient,
    change: (current: Patient) => Patient,
  ): Promise<{ patient: Patient; outcome: WriteOutcome }> {
    let changed = false;
    const { resource } = await this.fhir.modify('Patient', stored.id as string, (current) => {
      const next = change(current);
      changed = !sameContent(current, next);
      return changed ? next : undefined;
    });
    return { patient: resource, outcome: changed ? 'updated' : 'unchanged' };
  }
}

export function referenceTo(patient: Patient): Reference {
  return { reference: `Patient/${patient.id}` };
}
