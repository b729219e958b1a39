import type { Patient } from 'fhir/r4';
import { IDENTIFIER_SYSTEMS, identifierOf, originOf, withIdentifier, withOrigin } from '@cht-openmrs/common';
import { fhirIdFor } from './fhir-ids';
import { CHT_LINEAGE_EXTENSION, mergePatient, nameOf, patientToFhir } from './patient-to-fhir';
import {
  awaitedPatientOf,
  keepForeign,
  linkToPatient,
  REPORT_VERSION_EXTENSION,
  reportToFhir,
} from './report-to-fhir';
import { sameContent } from './same-content';

const person = Object.freeze({
  docId: 'doc-1',
  name: 'Jane Mary Doe',
  shortcode: '12345',
  phone: '+254700000001',
  birthDate: '1990-05-01',
  sex: 'female',
  lineage: ['area-1', 'hc-1'],
});

describe('CHT person → FHIR Patient', () => {
  it('maps names, gender, birth date, phone, both CHT identifiers, lineage and origin', () => {
    const patient = patientToFhir(person);
    expect(patient).toMatchObject({
      resourceType: 'Patient',
      name: [{ text: 'Jane Mary Doe', given: ['Jane', 'Mary'], family: 'Doe' }],
      gender: 'female',
      birthDate: '1990-05-01',
      telecom: [{ system: 'phone', value: '+254700000001' }],
      extension: [{ url: CHT_LINEAGE_EXTENSION, valueString: 'area-1/hc-1' }],
    });
    expect(identifierOf(patient, 'chtDocumentId')).toBe('doc-1');
    expect(identifierOf(patient, 'chtPatientId')).toBe('12345');
    expect(patient.identifier?.map((i) => i.type?.text)).toEqual(['CHT Document ID', 'CHT Patient ID']);
    expect(originOf(patient)).toBe('cht');
  });

  it('keeps a one-word name as the given name, and an unknown sex as unknown gender', () => {
    expect(nameOf('Amina')).toEqual({ text: 'Amina', given: ['Amina'] });
    expect(patientToFhir({ docId: 'd', name: 'Amina', lineage: [], sex: 'x' }).gender).toBe('unknown');
  });

  it('merges into a stored Patient without losing what other systems added', () => {
    const stored: Patient = withOrigin(
      withIdentifier(
        {
          ...patientToFhir({ ...person, name: 'Old Name', phone: '+254711111111' }),
          id: 'p1',
          meta: { versionId: '3' },
          address: [{ city: 'Nairobi' }],
        },
        'openmrsUuid',
        'omrs-uuid',
      ),
      'openmrs',
    );
    const merged = mergePatient(
      stored,
      patientToFhir({ ...person, phone: undefined, birthDate: undefined } as never),
    );
    expect(merged).toMatchObject({
      id: 'p1',
      address: [{ city: 'Nairobi' }],
      name: [{ text: 'Jane Mary Doe' }],
    });
    expect(merged.telecom).toEqual([{ system: 'phone', value: '+254711111111' }]); // not sent: kept
    expect(identifierOf(merged, 'openmrsUuid')).toBe('omrs-uuid');
    expect(merged.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEMS.chtDocumentId)).toHaveLength(1);
    expect(originOf(merged)).toBe('openmrs');
  });

  it('sees an unchanged re-push as the same content, whatever the server added', () => {
    const stored = {
      ...patientToFhir(person),
      id: 'p1',
      meta: { ...patientToFhir(person).meta, versionId: '2', lastUpdated: 'x', source: '#a' },
    };
    expect(sameContent(stored, mergePatient(stored, patientToFhir(person)))).toBe(true);
    expect(sameContent(stored, mergePatient(stored, patientToFhir({ ...person, name: 'Jane Doe' })))).toBe(
      false,
    );
  });
});

describe('CHT report → FHIR Encounter and Observations', () => {
  const report = Object.freeze({
    id: 'report-1',
    patientRef: 'doc-1',
    reportedDate: '2024-01-02T03:04:05.000Z',
    form: 'height_weight',
    observations: [
      { code: '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', value: { type: 'decimal' as const, value: 60 } },
      {
        code: '5090AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        value: { type: 'quantity' as const, value: 170, unit: 'cm' },
      },
      { code: '5090AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', value: { type: 'code' as const, value: 'yes' } },
    ],
    omitted: [],
  });

  it('builds a finished encounter and its observations with deterministic ids', () => {
    const { encounter, observations } = reportToFhir(report, { reference: 'Patient/p1' });
    expect(encounter).toMatchObject({
      resourceType: 'Encounter',
      id: 'cht-report-1',
      status: 'finished',
      subject: { reference: 'Patient/p1' },
      period: { start: report.reportedDate, end: report.reportedDate },
      type: [{ text: 'height_weight' }],
    });
    expect(identifierOf(encounter, 'chtDocumentId')).toBe('report-1');
    expect(observations.map((o) => o.id)).toEqual(
      reportToFhir(report, undefined).observations.map((o) => o.id),
    );
    expect(new Set(observations.map((o) => o.id)).size).toBe(3); // the same code twice still gets two ids
    expect(observations.every((o) => /^[A-Za-z0-9\-.]{1,64}$/.test(o.id ?? ''))).toBe(true);
    expect(observations[0]).toMatchObject({
      valueQuantity: { value: 60 },
      encounter: { reference: 'Encounter/cht-report-1' },
    });
    expect(observations[1]).toMatchObject({ valueQuantity: { value: 170, unit: 'cm' } });
    expect(observations[2]).toMatchObject({ valueCodeableConcept: { coding: [{ code: 'yes' }] } });
  });

  it('marks a report whose patient is missing as awaiting it, and links it later', () => {
    const waiting = reportToFhir(report, undefined);
    expect(waiting.encounter.subject).toBeUndefined();
    expect(awaitedPatientOf(waiting.encounter)).toBe('doc-1');
    const linked = linkToPatient(waiting, { reference: 'Patient/p1' });
    expect(awaitedPatientOf(linked.encounter)).toBeUndefined();
    expect(sameContent(linked.encounter, reportToFhir(report, { reference: 'Patient/p1' }).encounter)).toBe(
      true,
    );
    expect(linked.observations.every((o) => o.subject?.reference === 'Patient/p1')).toBe(true);
  });

  it('stamps the encounter with a version that changes when any observation changes', () => {
    const version = (r: typeof report) =>
      reportToFhir(r, undefined).encounter.extension?.find((e) => e.url === REPORT_VERSION_EXTENSION)
        ?.valueString;
    const edited = {
      ...report,
      observations: [
        { ...report.observations[0]!, value: { type: 'decimal' as const, value: 61 } },
        ...report.observations.slice(1),
      ],
    };
    expect(version(report)).toMatch(/^[0-9a-f]{32}$/);
    expect(version(report)).toBe(version({ ...report }));
    expect(version(edited)).not.toBe(version(report));
  });

  it('keeps what other systems recorded on a stored report when CHT rewrites it', () => {
    const stored = reportToFhir(report, { reference: 'Patient/p1' }).encounter;
    stored.identifier = [...(stored.identifier ?? []), { system: 'openmrs-visit', value: 'v1' }];
    stored.extension = [...(stored.extension ?? []), { url: 'synced', valueString: 'h' }];
    const rewritten = keepForeign(stored, reportToFhir(report, { reference: 'Patient/p1' }).encounter);
    expect(rewritten.identifier).toContainEqual({ system: 'openmrs-visit', value: 'v1' });
    expect(rewritten.extension).toContainEqual({ url: 'synced', valueString: 'h' });
    expect(sameContent(rewritten, stored)).toBe(true);
    expect(keepForeign(undefined, rewritten)).toBe(rewritten);
  });

  it('hashes ids that would not be valid FHIR ids', () => {
    expect(fhirIdFor('cht', 'ok-id')).toBe('cht-ok-id');
    expect(fhirIdFor('cht', 'has spaces/and:colons')).toMatch(/^cht-[0-9a-f]{40}$/);
    expect(fhirIdFor('cht', 'x'.repeat(70))).toMatch(/^cht-[0-9a-f]{40}$/);
  });
});
