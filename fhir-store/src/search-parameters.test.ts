import type { Encounter, Location, Observation, Patient, Resource, Task } from 'fhir/r4';
import { indexRowsOf, type IndexRows } from './search-parameters';

const samples: (Patient | Encounter | Observation | Task | Location)[] = [
  {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:cht', value: 'abc' }],
    name: [{ given: ['Ana'], family: 'Moyo' }],
    gender: 'female',
    birthDate: '1990-05-01',
    deceasedBoolean: false,
    telecom: [{ system: 'phone', value: '+254700000000' }],
    address: [{ city: 'Nairobi', state: 'Nairobi County', country: 'KE' }],
    managingOrganization: { reference: 'Organization/1' },
  },
  {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
    identifier: [{ value: 'visit-1' }],
    type: [{ coding: [{ system: 'urn:type', code: 'home-visit' }] }],
    subject: { reference: 'Patient/1' },
    partOf: { reference: 'Encounter/2' },
    period: { start: '2024-05-01T10:00:00Z', end: '2024-05-01T11:00:00Z' },
    location: [{ location: { reference: 'Location/3' } }],
  },
  {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
    subject: { reference: 'Patient/1' },
    encounter: { reference: 'Encounter/1' },
    effectiveDateTime: '2024-05-01T10:30:00Z',
    valueQuantity: { value: 61, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  },
  {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'danger signs' },
    subject: { reference: 'Patient/1' },
    valueCodeableConcept: { coding: [{ system: 'urn:signs', code: 'fever' }] },
  },
  {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    focus: { reference: 'Encounter/1' },
    for: { reference: 'Patient/1' },
    code: { text: 'sync' },
    authoredOn: '2024-05-01',
  },
  {
    resourceType: 'Location',
    name: 'Clinic',
    partOf: { reference: 'Location/9' },
    address: { city: 'Kisumu' },
  },
];

const parametersIn = (rows: IndexRows): string[] =>
  [
    ...new Set([...rows.tokens, ...rows.references, ...rows.dates, ...rows.strings].map((row) => row.param)),
  ].sort();

it.each(samples.map((resource) => [resource.resourceType, resource] as const))(
  'indexes a %s exactly as when every parameter is evaluated, although it skips those whose elements are absent',
  (_type, resource) => {
    const everyParameterEvaluated = indexRowsOf(resource, { skipAbsent: false });
    expect(indexRowsOf(resource)).toEqual(everyParameterEvaluated);
    expect(parametersIn(everyParameterEvaluated).length).toBeGreaterThan(1);
  },
);

it('reads choice elements by their typed names (effectiveDateTime, valueCodeableConcept, deceasedBoolean)', () => {
  expect(parametersIn(indexRowsOf(samples[2] as Resource))).toContain('date');
  expect(parametersIn(indexRowsOf(samples[3] as Resource))).toContain('value-concept');
  expect(parametersIn(indexRowsOf(samples[0] as Resource))).toContain('deceased');
});
