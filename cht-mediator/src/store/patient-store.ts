// The one place that decides whether a CHT person already exists on the FHIR server, and writes it
// exactly once: found by identifier, created with If-None-Exist, updated with If-Match (re-read and
// re-applied when another writer came first). An update that changes nothing is not written.
import type { Patient, Reference } from 'fhir/r4';
import { FhirClient, identifierToken, type IdentifierKind } from '@cht-openmrs/common';
import { mergePatient } from '../mapping/patient-to-fhir';
import { sameContent } from '../mapping/same-content';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export class DuplicateRecordError extends Error {
  override name = 'DuplicateRecordError';
}

export class PatientStore {
  constructor(private readonly fhir: FhirClient) {}

  /** The one Patient carrying that identifier; throws DuplicateRecordError if the ledger has two. */
  async findBy(kind: IdentifierKind, value: string): Promise<Patient | undefined> {
    const found = await this.fhir.searchAll('Patient', { identifier: identifierToken(kind, value) });
    if (found.length > 1) {
      const ids = found.map((p) => p.id).join(', ');
      throw new DuplicateRecordError(
        `${found.length} Patients carry ${kind} ${value} (${ids}); merge them on the FHIR server`,
      );
    }
    return found[0];
  }

  /** The Patient a CHT report names: by CHT document id, else by CHT shortcode. */
  async findByChtReference(ref: string): Promise<Patient | undefined> {
    return (await this.findBy('chtDocumentId', ref)) ?? (await this.findBy('chtPatientId', ref));
  }

  /**
   * Creates the Patient, or merges CHT's demographics into the stored one. A person created from
   * OpenMRS is also found by its OpenMRS uuid: CHT may push it before its CHT document id is linked.
   */
  async upsert(
    fromCht: Patient,
    docId: string,
    openmrsUuid?: string,
  ): Promise<{ patient: Patient; outcome: WriteOutcome }> {
    const find = async () =>
      (await this.findBy('chtDocumentId', docId)) ??
      (openmrsUuid ? await this.findBy('openmrsUuid', openmrsUuid) : undefined);
    let stored = await find();
    if (!stored) {
      const criteria = `identifier=${identifierToken('chtDocumentId', docId)}`;
      const { resource, created } = await this.fhir.create(fromCht, { ifNoneExist: criteria });
      if (created) return { patient: resource, outcome: 'created' };
      stored = resource; // created by a concurrent push a moment ago: merge into it
    }
    return this.write(stored, (current) => mergePatient(current, fromCht));
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
