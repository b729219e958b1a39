// Read, create, update, patch and delete for Patient, Encounter (visit or encounter), Observation and
// Location, with the FHIR2 module's rules (openmrs-fhir2.md §3–§6, §9): server-assigned uuids, HAPI's
// id checks on update, validation before saving, voiding instead of deleting.
import { randomUUID } from 'node:crypto';
import type { Encounter, Location, Observation, Patient, Resource } from 'fhir/r4';
import { applyPatch, type Operation } from 'fast-json-patch';
import { apply as applyMergePatch } from 'json-merge-patch';
import type { EncounterRow, ObsRow, PatientRow, Row, VisitRow } from '../model/database';
import { dbNow } from '../model/time';
import type { OpenmrsContext } from './context';
import {
  applyEncounter,
  applyVisit,
  encounterToFhir,
  kindOf,
  newEncounterRow,
  newVisitRow,
  validateEncounter,
  validateVisit,
  visitToFhir,
  type VisitRules,
} from './encounter';
import { badRequest, FhirProblem, gone, notKnown } from './errors';
import {
  applyObservation,
  newObsRow,
  observationChanged,
  observationToFhir,
  validateObservation,
} from './observation';
import { applyPatient, newPatientRow, patientToFhir, validatePatient } from './patient';

export const RESOURCE_TYPES = ['Patient', 'Encounter', 'Observation', 'Location'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface Written {
  resource: Resource;
  created: boolean;
}

export type PatchFormat = 'json-patch' | 'merge-patch';

const clone = <T>(value: T): T => structuredClone(value);

/** Hibernate flushes (and core stamps dateChanged) only when a column changed. */
function changed<T extends object>(before: T, after: T): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof T>;
  return [...keys].some((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

export class OpenmrsResources {
  constructor(
    private readonly context: OpenmrsContext,
    private readonly rules: VisitRules,
  ) {}

  private get db() {
    return this.context.db;
  }

  locationToFhir(uuid: string): Location | undefined {
    const location = this.db.location(uuid);
    if (!location) return undefined;
    const parent = location.parent ? this.db.location(location.parent) : undefined;
    return {
      resourceType: 'Location',
      id: location.uuid,
      meta: {
        tag: location.tags.map((tag) => ({
          system: 'http://fhir.openmrs.org/ext/location-tag',
          code: tag,
          display: tag,
        })),
      },
      status: 'active',
      name: location.name,
      ...(location.description ? { description: location.description } : {}),
      ...(parent
        ? { partOf: { reference: `Location/${parent.uuid}`, type: 'Location', display: parent.name } }
        : {}),
    };
  }

  toFhir(type: ResourceType, row: Row): Resource {
    switch (type) {
      case 'Patient':
        return patientToFhir(this.context, row as PatientRow);
      case 'Observation':
        return observationToFhir(this.context, row as ObsRow);
      case 'Location':
        return this.read('Location', row.uuid);
      default:
        return this.db.visit(row.uuid)
          ? visitToFhir(this.context, row as VisitRow)
          : encounterToFhir(this.context, row as EncounterRow);
    }
  }

  /** The row behind an id, voided ones included; Encounter tries encounters, then visits (§5.1). */
  private row(type: ResourceType, id: string): Row | undefined {
    switch (type) {
      case 'Patient':
        return this.db.patient(id);
      case 'Observation':
        return this.db.obs(id);
      case 'Encounter':
        return this.db.encounter(id) ?? this.db.visit(id);
      default:
        return undefined;
    }
  }

  read(type: ResourceType, id: string): Resource {
    if (type === 'Location') {
      const location = this.locationToFhir(id);
      if (!location) throw notKnown(type, id);
      return location;
    }
    const row = this.row(type, id);
    if (!row) throw notKnown(type, id);
    if (row.voided) throw gone(type, id);
    return this.toFhir(type, row);
  }

  create(type: ResourceType, body: Resource): Resource {
    switch (type) {
      case 'Patient': {
        const row = newPatientRow(this.context);
        applyPatient(this.context, row, body as Patient);
        validatePatient(this.context, row);
        const created = this.insert(type, this.db.tables.patients, row);
        this.db.indexIdentifiers(row);
        return created;
      }
      case 'Encounter':
        if (kindOf(body as Encounter) === 'visit') {
          const row = newVisitRow(this.context);
          applyVisit(this.context, row, body as Encounter);
          validateVisit(this.context, row, undefined, this.rules);
          return this.insert(type, this.db.tables.visits, row);
        } else {
          const row = newEncounterRow(this.context);
          applyEncounter(this.context, row, body as Encounter);
          validateEncounter(this.context, row);
          return this.insert(type, this.db.tables.encounters, row);
        }
      case 'Observation': {
        const row = newObsRow(this.context);
        applyObservation(this.context, row, body as Observation);
        validateObservation(this.context, row);
        return this.insert(type, this.db.tables.observations, row);
      }
      default:
        throw badRequest(
          `HAPI-0303: Invalid request: The FHIR endpoint on this server does not know how to handle POST operation[${type}] with parameters [[]]`,
          'not-supported',
        );
    }
  }

  private insert<T extends Row>(type: ResourceType, table: T[], row: T): Resource {
    row.id = this.db.nextId();
    this.db.insert(table, row);
    this.db.save();
    return this.toFhir(type, row);
  }

  /** HAPI's id rules (HAPI-0419/0420), then the module's update; 404 for unknown ids, no upsert (§4.3). */
  update(type: ResourceType, id: string, body: Resource): Resource {
    if (!body.id) {
      throw badRequest(
        'HAPI-0419: Can not update resource, resource body must contain an ID element for update (PUT) operation',
      );
    }
    if (body.id !== id) {
      throw badRequest(
        `HAPI-0420: Can not update resource, resource body ID of "${body.id}" does not match URL ID of "${id}"`,
      );
    }
    const existing = this.row(type, id);
    if (!existing || type === 'Location') throw notKnown(type, id);
    const now = dbNow(this.context.clock);
    switch (type) {
      case 'Patient':
        return this.updatePatient(existing as PatientRow, body as Patient, now);
      case 'Observation':
        return this.updateObservation(existing as ObsRow, body as Observation, now);
      default:
        return this.updateEncounter(existing, body as Encounter, now);
    }
  }

  private updatePatient(row: PatientRow, body: Patient, now: number): Resource {
    const updated = clone(row);
    applyPatient(this.context, updated, body);
    validatePatient(this.context, updated);
    // Core stamps dateChanged only when the patient's own columns change, not its names,
    // identifiers, addresses or attributes (§3, inferred).
    const own = (p: PatientRow) =>
      [p.gender, p.birthdate, p.birthdateEstimated, p.dead, p.deathDate].join('|');
    if (own(updated) !== own(row)) updated.dateChanged = now;
    Object.assign(row, updated);
    this.db.indexIdentifiers(row);
    this.db.save();
    return this.toFhir('Patient', row);
  }

  private updateEncounter(existing: Row, body: Encounter, now: number): Resource {
    const kind = kindOf(body);
    const isVisit = Boolean(this.db.visit(existing.uuid));
    if ((kind === 'visit') !== isVisit) throw notKnown('Encounter', existing.uuid);
    if (isVisit) {
      const row = existing as VisitRow;
      const updated = clone(row);
      applyVisit(this.context, updated, body);
      validateVisit(this.context, updated, row, this.rules);
      if (changed(row, updated)) updated.dateChanged = now;
      Object.assign(row, updated);
      this.db.indexVisit(row);
    } else {
      const row = existing as EncounterRow;
      const updated = clone(row);
      applyEncounter(this.context, updated, body);
      validateEncounter(this.context, updated);
      if (changed(row, updated)) updated.dateChanged = now;
      if (!updated.visitUuid) delete row.visitUuid;
      if (!updated.locationUuid) delete row.locationUuid;
      Object.assign(row, updated);
    }
    this.db.save();
    return this.toFhir('Encounter', existing);
  }

  /** ObsService.saveObs: a changed obs is voided and replaced by a new one with a new uuid (§6.3). */
  private updateObservation(row: ObsRow, body: Observation, now: number): Resource {
    const updated = clone(row);
    applyObservation(this.context, updated, body);
    validateObservation(this.context, updated);
    if (!observationChanged(row, updated)) return this.toFhir('Observation', row);
    const replacement: ObsRow = {
      ...updated,
      id: this.db.nextId(),
      uuid: randomUUID(),
      dateCreated: now,
      status: row.status === 'FINAL' ? 'AMENDED' : updated.status,
      previousVersion: row.uuid,
    };
    Object.assign(row, { voided: true, voidReason: 'Updated via the FHIR2 API' });
    this.db.insert(this.db.tables.observations, replacement);
    this.db.save();
    return this.toFhir('Observation', replacement);
  }

  /** The patch is applied to the current FHIR representation, then handled as an update (§2). */
  patch(type: ResourceType, id: string, format: PatchFormat, patch: unknown): Resource {
    const existing = this.row(type, id);
    if (!existing || type === 'Location') throw notKnown(type, id);
    const current = this.toFhir(type, existing);
    let patched: Resource;
    try {
      patched =
        format === 'json-patch'
          ? (applyPatch(clone(current), patch as Operation[], true, false).newDocument as Resource)
          : (applyMergePatch(clone(current), patch) as Resource);
    } catch (error) {
      throw badRequest(`HAPI-1271: Failed to apply JSON patch: ${(error as Error).message}`);
    }
    return this.update(type, id, patched);
  }

  /** Voids the resource and what core's VoidHandler cascades to (§9); a repeat delete is 200 again. */
  delete(type: ResourceType, id: string): void {
    const row = this.row(type, id);
    if (!row || type === 'Location') throw notKnown(type, id);
    const reason = 'Voided via FHIR API';
    const voidObs = (encounterUuid: string) => {
      for (const obs of this.db.tables.observations)
        if (obs.encounterUuid === encounterUuid && !obs.voided)
          Object.assign(obs, { voided: true, voidReason: reason });
    };
    if (type === 'Patient') {
      const patient = row as PatientRow;
      patient.voided = true;
      for (const child of [
        ...patient.names,
        ...patient.identifiers,
        ...patient.addresses,
        ...patient.attributes,
      ])
        child.voided = true;
    } else if (type === 'Encounter' && this.db.visit(id)) {
      row.voided = true;
      for (const encounter of this.db.tables.encounters) {
        if (encounter.visitUuid !== id) continue;
        encounter.voided = true;
        voidObs(encounter.uuid);
      }
    } else if (type === 'Encounter') {
      row.voided = true;
      voidObs(id);
    } else {
      Object.assign(row, { voided: true, voidReason: reason });
    }
    this.db.save();
  }
}

export function isResourceType(type: string): type is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(type);
}

export { FhirProblem };
