// The stand-in's tables: OpenMRS rows (integer id, uuid, voided, dateCreated/dateChanged in epoch ms
// at whole seconds, as the database keeps them) and the metadata seeded from §11. One JSON snapshot
// file keeps them across restarts. Test and demo use only.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CONCEPTS,
  ENCOUNTER_TYPES,
  IDENTIFIER_TYPES,
  LOCATIONS,
  PERSON_ATTRIBUTE_TYPES,
  VISIT_TYPES,
  type Concept,
  type IdentifierType,
  type LocationMetadata,
  type NamedMetadata,
  type PersonAttributeType,
} from './seed';

export interface Row {
  id: number;
  uuid: string;
  voided: boolean;
  dateCreated: number;
  dateChanged?: number;
}

export interface NameRow {
  uuid: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  voided: boolean;
}

export interface IdentifierRow {
  uuid: string;
  value: string;
  typeUuid: string;
  preferred: boolean;
  locationUuid?: string;
  voided: boolean;
}

export interface AddressRow {
  uuid: string;
  preferred: boolean;
  cityVillage?: string;
  countyDistrict?: string;
  stateProvince?: string;
  postalCode?: string;
  country?: string;
  /** address1 … address15 */
  lines: Record<string, string>;
  voided: boolean;
}

export interface AttributeRow {
  uuid: string;
  typeUuid: string;
  value: string;
  voided: boolean;
}

export type Gender = 'M' | 'F' | 'U' | 'O';

export interface PatientRow extends Row {
  gender?: Gender;
  /** yyyy-MM-dd */
  birthdate?: string;
  birthdateEstimated: boolean;
  dead: boolean;
  deathDate?: number;
  names: NameRow[];
  identifiers: IdentifierRow[];
  addresses: AddressRow[];
  attributes: AttributeRow[];
}

export interface VisitRow extends Row {
  patientUuid?: string;
  visitTypeUuid?: string;
  locationUuid?: string;
  startDatetime?: number;
  stopDatetime?: number;
}

export interface EncounterRow extends Row {
  patientUuid?: string;
  encounterTypeUuid?: string;
  locationUuid?: string;
  encounterDatetime?: number;
  visitUuid?: string;
  providerUuids: string[];
}

export type ObsStatus = 'PRELIMINARY' | 'FINAL' | 'AMENDED';

export interface ObsRow extends Row {
  personUuid?: string;
  conceptUuid?: string;
  encounterUuid?: string;
  obsDatetime?: number;
  status: ObsStatus;
  valueNumeric?: number;
  valueCoded?: string;
  valueText?: string;
  valueDatetime?: number;
  valueBoolean?: boolean;
  previousVersion?: string;
  voidReason?: string;
}

export interface Tables {
  nextId: number;
  patients: PatientRow[];
  visits: VisitRow[];
  encounters: EncounterRow[];
  observations: ObsRow[];
  identifierTypes: IdentifierType[];
}

export class Database {
  tables: Tables;
  readonly concepts: Concept[] = CONCEPTS;
  readonly encounterTypes: NamedMetadata[] = ENCOUNTER_TYPES;
  readonly visitTypes: NamedMetadata[] = VISIT_TYPES;
  readonly locations: LocationMetadata[] = LOCATIONS;
  readonly personAttributeTypes: PersonAttributeType[] = PERSON_ATTRIBUTE_TYPES;

  private indexes = new Map<Row[], Map<string, Row>>();
  private changes = 0;
  /** Identifier value → patients that have (or had) it; lookups re-check the rows. */
  private identifierOwners = new Map<string, Set<PatientRow>>();
  /** Patient uuid → visits that are (or were) theirs; lookups re-check the rows. */
  private visitOwners = new Map<string, Set<VisitRow>>();

  constructor(private readonly snapshotFile?: string) {
    this.tables =
      snapshotFile && existsSync(snapshotFile)
        ? (JSON.parse(readFileSync(snapshotFile, 'utf8')) as Tables)
        : Database.empty();
    this.index();
  }

  private index(): void {
    this.changes += 1;
    this.indexes.clear();
    const { patients, visits, encounters, observations } = this.tables;
    for (const table of [patients, visits, encounters, observations] as Row[][])
      this.indexes.set(table, new Map(table.map((row) => [row.uuid, row])));
    this.identifierOwners.clear();
    for (const patient of patients) this.indexIdentifiers(patient);
    this.visitOwners.clear();
    for (const visit of visits) this.indexVisit(visit);
  }

  /** Grows with every change to the tables: an answer worked out at one version holds while it lasts. */
  get version(): number {
    return this.changes;
  }

  insert<T extends Row>(table: T[], row: T): T {
    this.changes += 1;
    table.push(row);
    this.indexes.get(table)?.set(row.uuid, row);
    if ((table as Row[]) === this.tables.visits) this.indexVisit(row as VisitRow);
    return row;
  }

  static empty(): Tables {
    return {
      nextId: 1,
      patients: [],
      visits: [],
      encounters: [],
      observations: [],
      identifierTypes: structuredClone(IDENTIFIER_TYPES),
    };
  }

  nextId(): number {
    return this.tables.nextId++;
  }

  reset(): void {
    this.tables = Database.empty();
    this.index();
    this.save();
  }

  /** Written after every change; a rename keeps the file whole if the process dies mid-write. */
  save(): void {
    this.changes += 1;
    if (!this.snapshotFile) return;
    mkdirSync(dirname(this.snapshotFile), { recursive: true });
    writeFileSync(`${this.snapshotFile}.tmp`, JSON.stringify(this.tables));
    renameSync(`${this.snapshotFile}.tmp`, this.snapshotFile);
  }

  /** Call after a patient's identifiers change, so identifier lookups find it. */
  indexIdentifiers(patient: PatientRow): void {
    for (const { value } of patient.identifiers) {
      const owners = this.identifierOwners.get(value) ?? new Set<PatientRow>();
      owners.add(patient);
      this.identifierOwners.set(value, owners);
    }
  }

  /** Call after a visit's patient changes, so `visitsOf` finds it. */
  indexVisit(visit: VisitRow): void {
    if (!visit.patientUuid) return;
    const owned = this.visitOwners.get(visit.patientUuid) ?? new Set<VisitRow>();
    owned.add(visit);
    this.visitOwners.set(visit.patientUuid, owned);
  }

  /** The patient's visits, in id order (voided ones included). */
  visitsOf(patientUuid: string): VisitRow[] {
    return [...(this.visitOwners.get(patientUuid) ?? [])]
      .filter((visit) => visit.patientUuid === patientUuid)
      .sort((a, b) => a.id - b.id);
  }

  /** Patients with an identifier of this value, in id order (voided ones and rows included). */
  patientsWithIdentifier(value: string): PatientRow[] {
    const owners = [...(this.identifierOwners.get(value) ?? [])];
    return owners.filter((p) => p.identifiers.some((i) => i.value === value)).sort((a, b) => a.id - b.id);
  }

  patient(uuid: string): PatientRow | undefined {
    return this.indexes.get(this.tables.patients)?.get(uuid) as PatientRow | undefined;
  }

  visit(uuid: string): VisitRow | undefined {
    return this.indexes.get(this.tables.visits)?.get(uuid) as VisitRow | undefined;
  }

  encounter(uuid: string): EncounterRow | undefined {
    return this.indexes.get(this.tables.encounters)?.get(uuid) as EncounterRow | undefined;
  }

  obs(uuid: string): ObsRow | undefined {
    return this.indexes.get(this.tables.observations)?.get(uuid) as ObsRow | undefined;
  }

  concept(uuid: string): Concept | undefined {
    return this.concepts.find((c) => c.uuid === uuid);
  }

  location(uuid: string): LocationMetadata | undefined {
    return this.locations.find((l) => l.uuid === uuid);
  }

  identifierType(uuid: string): IdentifierType | undefined {
    return this.tables.identifierTypes.find((t) => t.uuid === uuid);
  }

  identifierTypeByName(name: string): IdentifierType | undefined {
    return this.tables.identifierTypes.find((t) => t.name === name && !t.retired);
  }
}
