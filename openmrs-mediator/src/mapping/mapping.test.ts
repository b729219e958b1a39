import type { Encounter, Observation, Patient } from 'fhir/r4';
import {
  identifierOf,
  makeIdentifier,
  originOf,
  withOrigin,
  formMapping,
  MappingError,
  parseMapping,
  visitMapping,
  type Mapping,
} from '@cht-openmrs/common';
import { ADDRESS_EXTENSION, ENCOUNTER_TYPE_SYSTEM, VISIT_TYPE_SYSTEM } from '../openmrs/openmrs-fhir';
import { MappingValueError, planVisit, recordForCht } from './encounters';
import { demographicsOf, patientForOpenmrs, patientFromOpenmrs, patientUpdateForOpenmrs } from './patients';
import { placeKeyOf } from './placement';

const WEIGHT = '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const PREGNANT = '5272AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const YES = '1065AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HOME_VISIT = 'd66e9fe0-7d51-4801-a550-5d462ad1c944';
const VISIT_NOTE = 'd7151f82-c1f3-4152-a605-2f9ea7414a79';
const FACILITY_VISIT = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
const VITALS = '67a71486-1a54-468f-ac3e-7091a9a79584';
const LOCATION = '44c3efb0-2583-4c80-a79e-1f756a03c0a1';

const raw = {
  openmrs: { locationUuid: LOCATION },
  chtToOpenmrs: {
    forms: {
      height_weight: {
        visitType: HOME_VISIT,
        encounterType: VISIT_NOTE,
        observations: {
          [WEIGHT]: { concept: WEIGHT, valueType: 'numeric' },
          pregnant: { concept: PREGNANT, valueType: 'coded', answers: { yes: YES } },
        },
      },
    },
  },
  openmrsToCht: {
    visits: [
      { visitType: FACILITY_VISIT, form: 'OPENMRS_VISIT' },
      {
        visitType: FACILITY_VISIT,
        encounterType: VITALS,
        form: 'OPENMRS_VITALS',
        fields: { [WEIGHT]: 'weight' },
      },
    ],
  },
};
const mapping: Mapping = parseMapping(raw);

const problemsOf = (value: unknown) => {
  try {
    parseMapping(value, 'mapping.json');
  } catch (error) {
    if (error instanceof MappingError) return error.problems;
    throw error;
  }
  throw new Error('expected a MappingError');
};

describe('mapping configuration', () => {
  it('fills defaults: identifier type names, visit duration, placement fields and role', () => {
    expect(mapping.openmrs.identifierTypes).toEqual({
      chtDocumentId: 'CHT Document ID',
      chtPatientId: 'CHT Patient ID',
    });
    expect(mapping.chtToOpenmrs.forms.height_weight?.visitDurationMinutes).toBe(30);
    expect(mapping.openmrsToCht.patients).toEqual({
      placeFields: ['address5', 'address4'],
      placeTypes: ['clinic', 'health_center', 'district_hospital'],
      role: 'patient',
    });
  });

  it('names every bad entry by its path', () => {
    const bad = structuredClone(raw) as typeof raw & Record<string, unknown>;
    const form = bad.chtToOpenmrs.forms.height_weight as Record<string, unknown> & {
      observations: Record<string, unknown>;
    };
    form.visitType = 'Home Visit';
    form.observations.height = { concept: '5090', valueType: 'number' };
    form.observations[WEIGHT] = { concept: WEIGHT, valueType: 'numeric', answers: { a: YES } };
    bad.openmrsToCht.visits.push({ visitType: FACILITY_VISIT, form: 'AGAIN' });
    expect(problemsOf(bad)).toEqual([
      expect.stringMatching(/^chtToOpenmrs\.forms\.height_weight\.visitType: expected an OpenMRS uuid/),
      expect.stringMatching(
        /^chtToOpenmrs\.forms\.height_weight\.observations\.height\.concept: expected an OpenMRS uuid/,
      ),
      expect.stringMatching(/^chtToOpenmrs\.forms\.height_weight\.observations\.height\.valueType: /),
    ]);
    const duplicate = structuredClone(raw);
    duplicate.openmrsToCht.visits.push({ visitType: FACILITY_VISIT, form: 'AGAIN' });
    (duplicate.chtToOpenmrs.forms.height_weight.observations[WEIGHT] as Record<string, unknown>).answers = {
      a: YES,
    };
    expect(problemsOf(duplicate)).toEqual([
      'openmrsToCht.visits.2: same visitType and encounterType as openmrsToCht.visits.0',
      `chtToOpenmrs.forms.height_weight.observations.${WEIGHT}.answers: only coded values have answers`,
    ]);
    expect(problemsOf({ ...raw, extra: 1 })).toEqual([expect.stringContaining('extra')]);
  });

  it('finds a form by name or the "*" entry, and a visit by encounter type before visit type', () => {
    expect(formMapping(mapping, 'height_weight')?.encounterType).toBe(VISIT_NOTE);
    expect(formMapping(mapping, 'other')).toBeUndefined();
    const withDefault = parseMapping({
      ...raw,
      chtToOpenmrs: { forms: { '*': raw.chtToOpenmrs.forms.height_weight } },
    });
    expect(formMapping(withDefault, 'anything')?.visitType).toBe(HOME_VISIT);
    expect(visitMapping(mapping, FACILITY_VISIT, [VITALS])?.form).toBe('OPENMRS_VITALS');
    expect(visitMapping(mapping, FACILITY_VISIT, [VISIT_NOTE])?.form).toBe('OPENMRS_VISIT');
    expect(visitMapping(mapping, HOME_VISIT, [])).toBeUndefined();
  });
});

const chtPatient = withOrigin<Patient>(
  {
    resourceType: 'Patient',
    id: 'fhir-1',
    identifier: [makeIdentifier('chtDocumentId', 'doc-1'), makeIdentifier('chtPatientId', '12345')],
    name: [{ text: 'Jane Mary Doe', given: ['Jane', 'Mary'], family: 'Doe' }],
    gender: 'female',
    birthDate: '1990-05-01',
    telecom: [{ system: 'phone', value: '+254700000001' }],
  },
  'cht',
);

describe('patients to and from OpenMRS', () => {
  it('creates with identifier type names, no system, exactly one official', () => {
    const body = patientForOpenmrs(chtPatient, mapping);
    expect(body).toEqual({
      resourceType: 'Patient',
      identifier: [
        { use: 'official', type: { text: 'CHT Document ID' }, value: 'doc-1' },
        { use: 'usual', type: { text: 'CHT Patient ID' }, value: '12345' },
      ],
      name: [{ given: ['Jane', 'Mary'], family: 'Doe' }],
      gender: 'female',
      birthDate: '1990-05-01',
      telecom: [{ value: '+254700000001' }],
    });
  });

  it('gives OpenMRS a given name even when only a family name is known', () => {
    const familyOnly = { ...chtPatient, name: [{ family: 'Otieno' }] };
    expect(patientForOpenmrs(familyOnly, mapping).name).toEqual([{ given: ['Otieno'] }]);
  });

  it('updates in place: keeps the stored name and telecom ids, adds only missing identifiers', () => {
    const current: Patient = {
      resourceType: 'Patient',
      id: 'omrs-1',
      identifier: [{ id: 'i1', use: 'official', type: { text: 'CHT Document ID' }, value: 'doc-1' }],
      name: [{ id: 'n1', given: ['Jane'], family: 'Old' }],
      telecom: [{ id: 't1', value: '+254711111111' }],
      gender: 'female',
      text: { status: 'generated', div: '<div/>' },
    };
    const body = patientUpdateForOpenmrs(current, chtPatient, mapping);
    expect(body.id).toBe('omrs-1');
    expect(body.name).toEqual([{ id: 'n1', given: ['Jane', 'Mary'], family: 'Doe' }]);
    expect(body.telecom).toEqual([{ id: 't1', value: '+254700000001' }]);
    expect(body.identifier).toEqual([
      current.identifier?.[0],
      { use: 'usual', type: { text: 'CHT Patient ID' }, value: '12345' },
    ]);
    expect(body.text).toBeUndefined();
  });

  it('copies an OpenMRS patient with our identifier systems, address and the openmrs origin', () => {
    const openmrs: Patient = {
      resourceType: 'Patient',
      id: 'omrs-9',
      identifier: [
        { use: 'official', type: { text: 'OpenMRS ID' }, value: '1000X1Y' },
        { use: 'usual', type: { text: 'CHT Document ID' }, value: 'doc-9' },
      ],
      name: [{ id: 'n', given: ['Ali'], family: 'Hassan', text: 'Ali Hassan' }],
      gender: 'male',
      address: [
        {
          id: 'a',
          use: 'home',
          extension: [
            {
              url: ADDRESS_EXTENSION,
              extension: [{ url: `${ADDRESS_EXTENSION}#address5`, valueString: 'Kibera [12345]' }],
            },
          ],
        },
      ],
    };
    const copy = patientFromOpenmrs(openmrs, undefined, mapping);
    expect(identifierOf(copy, 'openmrsUuid')).toBe('omrs-9');
    expect(identifierOf(copy, 'chtDocumentId')).toBe('doc-9');
    expect(copy.identifier).toContainEqual({ type: { text: 'OpenMRS ID' }, value: '1000X1Y' });
    expect(copy.address?.[0]?.id).toBeUndefined();
    expect(originOf(copy)).toBe('openmrs');
    expect(demographicsOf(copy)).toEqual({
      name: 'Ali Hassan',
      given: ['Ali'],
      family: 'Hassan',
      gender: 'male',
    });
    // merged into a stored CHT-origin copy, the origin and the other identifiers stay
    const merged = patientFromOpenmrs(openmrs, chtPatient, mapping);
    expect(originOf(merged)).toBe('cht');
    expect(identifierOf(merged, 'chtPatientId')).toBe('12345');
    expect(merged.id).toBe('fhir-1');
  });
});

describe('placement', () => {
  const withAddress = (parts: Record<string, string>): Patient => ({
    resourceType: 'Patient',
    address: [
      {
        extension: [
          {
            url: ADDRESS_EXTENSION,
            extension: Object.entries(parts).map(([k, v]) => ({
              url: `${ADDRESS_EXTENSION}#${k}`,
              valueString: v,
            })),
          },
        ],
      },
    ],
  });
  it('takes address5, else address4; a trailing [id] is a place_id, else the exact name', () => {
    expect(
      placeKeyOf(withAddress({ address4: 'Area A', address5: 'Kibera [12345]' }), ['address5', 'address4']),
    ).toEqual({ field: 'address5', placeId: '12345' });
    expect(placeKeyOf(withAddress({ address4: 'CHW Area A' }), ['address5', 'address4'])).toEqual({
      field: 'address4',
      name: 'CHW Area A',
    });
    expect(placeKeyOf(withAddress({ address1: 'Main St' }), ['address5', 'address4'])).toBeUndefined();
    expect(placeKeyOf({ resourceType: 'Patient' }, ['address5'])).toBeUndefined();
  });
});

describe('encounters to and from OpenMRS', () => {
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: 'cht-r1',
    status: 'finished',
    class: {},
    period: { start: '2024-06-01T10:00:00.123Z' },
  };
  const obs = (code: string, value: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id: `o-${code}`,
    status: 'final',
    code: { coding: [{ code }] },
    ...value,
  });
  const form = formMapping(mapping, 'height_weight');

  it('plans a Home Visit with an end, a Visit Note part of it, and observations of the mapped types', () => {
    const plan = planVisit(
      encounter,
      [
        obs(WEIGHT, { valueQuantity: { value: 62.5, unit: 'kg' } }),
        obs('pregnant', { valueString: 'yes' }),
        obs('unmapped', { valueString: 'x' }),
      ],
      'omrs-patient',
      form!,
      LOCATION,
    );
    expect(plan.visit).toMatchObject({
      type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: HOME_VISIT }] }],
      subject: { reference: 'Patient/omrs-patient' },
      location: [{ location: { reference: `Location/${LOCATION}` } }],
      period: { start: '2024-06-01T10:00:00Z', end: '2024-06-01T10:30:00Z' },
    });
    expect(plan.encounter('visit-1')).toMatchObject({
      type: [{ coding: [{ system: ENCOUNTER_TYPE_SYSTEM, code: VISIT_NOTE }] }],
      partOf: { reference: 'Encounter/visit-1' },
      period: { start: '2024-06-01T10:00:00Z' },
    });
    expect(plan.observations('enc-1').map((o) => o.sourceId)).toEqual([`o-${WEIGHT}`, 'o-pregnant']);
    expect(plan.observations('enc-1').map((o) => o.body)).toEqual([
      expect.objectContaining({
        code: { coding: [{ code: WEIGHT }] },
        valueQuantity: { value: 62.5 },
        encounter: { reference: 'Encounter/enc-1', type: 'Encounter' },
      }),
      expect.objectContaining({
        code: { coding: [{ code: PREGNANT }] },
        valueCodeableConcept: { coding: [{ code: YES }] },
      }),
    ]);
    expect(plan.skipped).toEqual(['unmapped']);
  });

  it('refuses a value that does not fit the concept, naming the observation and concept', () => {
    expect(() => planVisit(encounter, [obs(WEIGHT, { valueString: 'heavy' })], 'p', form!, LOCATION)).toThrow(
      MappingValueError,
    );
    expect(() => planVisit(encounter, [obs(WEIGHT, { valueString: 'heavy' })], 'p', form!, LOCATION)).toThrow(
      `Observation/o-${WEIGHT} (${WEIGHT}): concept ${WEIGHT} is numeric, got "heavy"; expected a number`,
    );
    expect(() =>
      planVisit(encounter, [obs('pregnant', { valueString: 'maybe' })], 'p', form!, LOCATION),
    ).toThrow(/values listed in answers|listed in answers \(yes\)/);
  });

  it('writes a completed visit as a CHT record with mapped or lower-cased concept fields', () => {
    const visit: Encounter = {
      resourceType: 'Encounter',
      id: 'visit-9',
      status: 'unknown',
      class: {},
      type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: FACILITY_VISIT, display: 'Facility Visit' }] }],
      period: { start: '2024-06-02T08:00:00+03:00', end: '2024-06-02T09:00:00+03:00' },
    };
    const record = recordForCht(
      visit,
      [
        obs(WEIGHT, { valueQuantity: { value: 70 }, effectiveDateTime: '2024-06-02T08:10:00+03:00' }),
        obs(WEIGHT, { valueQuantity: { value: 71 }, effectiveDateTime: '2024-06-02T08:20:00+03:00' }),
        obs(PREGNANT, { valueCodeableConcept: { coding: [{ code: YES, display: 'Yes' }], text: 'Yes' } }),
      ],
      'doc-9',
      visitMapping(mapping, FACILITY_VISIT, [VITALS])!,
    );
    expect(record).toEqual({
      _meta: { form: 'OPENMRS_VITALS', reported_date: Date.parse('2024-06-02T06:00:00Z') },
      patient_id: 'doc-9',
      openmrs_visit_uuid: 'visit-9',
      visit_type: 'Facility Visit',
      visit_date: '2024-06-02',
      weight: '71',
      [PREGNANT.toLowerCase()]: 'Yes',
    });
  });
});
