// The O3 demo metadata the stand-in starts with (openmrs-fhir2.md §11). Test and demo use only.
// CIEL concept uuids are the CIEL id padded with 'A' to 36 characters, as CIEL content does.

export type ConceptDatatype = 'Numeric' | 'Coded' | 'Text' | 'Datetime' | 'Date' | 'Boolean' | 'N/A';
export type ConceptClass = 'Finding' | 'Test' | 'Procedure' | 'Question' | 'Misc' | 'Diagnosis';

export interface Concept {
  uuid: string;
  id: number;
  name: string;
  datatype: ConceptDatatype;
  conceptClass: ConceptClass;
  units?: string;
  allowDecimal?: boolean;
  hiAbsolute?: number;
  lowAbsolute?: number;
  answers?: string[];
  /** Mappings as `source name → code`, all SAME-AS. */
  mappings: Record<string, string>;
}

export interface IdentifierType {
  uuid: string;
  name: string;
  description: string;
  format?: string;
  formatDescription?: string;
  validator?: 'LuhnMod30';
  required: boolean;
  locationBehavior: 'NOT_USED' | 'REQUIRED' | null;
  uniquenessBehavior: 'UNIQUE' | 'NON_UNIQUE' | 'LOCATION' | null;
  retired: boolean;
}

export interface NamedMetadata {
  uuid: string;
  name: string;
  description?: string;
  retired?: boolean;
}

export interface LocationMetadata extends NamedMetadata {
  tags: string[];
  parent?: string;
}

export interface PersonAttributeType extends NamedMetadata {
  format: string;
}

export const ciel = (id: number): string => `${id}`.padEnd(36, 'A');

export const CONCEPT_SOURCES: Record<string, string> = {
  CIEL: 'https://cielterminology.org',
  LOINC: 'http://loinc.org',
  'SNOMED CT': 'http://snomed.info/sct/',
};

const numeric = (
  id: number,
  name: string,
  units: string,
  allowDecimal: boolean,
  lowAbsolute: number,
  hiAbsolute: number,
  loinc?: string,
): Concept => ({
  uuid: ciel(id),
  id,
  name,
  datatype: 'Numeric',
  conceptClass: 'Finding',
  units,
  allowDecimal,
  lowAbsolute,
  hiAbsolute,
  mappings: { CIEL: `${id}`, ...(loinc ? { LOINC: loinc } : {}) },
});

const simple = (
  id: number,
  name: string,
  datatype: ConceptDatatype,
  conceptClass: ConceptClass,
  answers?: number[],
): Concept => ({
  uuid: ciel(id),
  id,
  name,
  datatype,
  conceptClass,
  ...(answers ? { answers: answers.map(ciel) } : {}),
  mappings: { CIEL: `${id}` },
});

/**
 * Weight, height, temperature and blood pressure are the CIEL concepts; the danger-signs, referral
 * and last-menstrual-period concepts give the demo one concept of every datatype the sync writes.
 */
export const CONCEPTS: Concept[] = [
  numeric(5089, 'Weight (kg)', 'kg', true, 0, 250, '29463-7'),
  numeric(5090, 'Height (cm)', 'cm', true, 10, 228, '8302-2'),
  numeric(5088, 'Temperature (C)', 'DEG C', true, 25, 43, '8310-5'),
  numeric(5085, 'Systolic blood pressure', 'mmHg', false, 0, 250, '8480-6'),
  numeric(5086, 'Diastolic blood pressure', 'mmHg', false, 0, 150, '8462-4'),
  simple(5272, 'Pregnancy status', 'Coded', 'Finding', [1065, 1066, 1067]),
  simple(1065, 'Yes', 'N/A', 'Misc'),
  simple(1066, 'No', 'N/A', 'Misc'),
  simple(1067, 'Unknown', 'N/A', 'Misc'),
  simple(1427, 'Date of last menstrual period', 'Date', 'Question'),
  simple(162169, 'Text of encounter note', 'Text', 'Question'),
  simple(1576, 'Danger signs', 'Text', 'Finding'),
  simple(1788, 'Referred to health facility', 'Boolean', 'Question'),
];

export const IDENTIFIER_TYPES: IdentifierType[] = [
  {
    uuid: '05a29f94-c0ed-11e2-94be-8c13b969e334',
    name: 'OpenMRS ID',
    description: 'OpenMRS patient identifier, with check-digit',
    validator: 'LuhnMod30',
    required: true,
    locationBehavior: 'NOT_USED',
    uniquenessBehavior: 'UNIQUE',
    retired: false,
  },
  {
    uuid: '22348099-3873-459e-a32e-d93b17eda533',
    name: 'Legacy ID',
    description: 'Legacy identifier',
    required: false,
    locationBehavior: 'NOT_USED',
    uniquenessBehavior: null,
    retired: false,
  },
  {
    uuid: 'b4143563-16cd-4439-b288-f83d61670fc8',
    name: 'ID Card',
    description: 'National identity card',
    required: false,
    locationBehavior: 'NOT_USED',
    uniquenessBehavior: 'UNIQUE',
    retired: false,
  },
  {
    uuid: 'a71403f3-8584-4289-ab41-2b4e5570bd45',
    name: 'SSN',
    description: 'Social security number',
    format: '^[A-Z]{1}-[0-9]{7}$',
    formatDescription: 'A-1234567',
    required: false,
    locationBehavior: 'NOT_USED',
    uniquenessBehavior: null,
    retired: false,
  },
];

export const ENCOUNTER_TYPES: NamedMetadata[] = [
  { uuid: 'd7151f82-c1f3-4152-a605-2f9ea7414a79', name: 'Visit Note' },
  { uuid: '67a71486-1a54-468f-ac3e-7091a9a79584', name: 'Vitals' },
  { uuid: 'dd528487-82a5-4082-9c72-ed246bd49591', name: 'Consultation' },
  { uuid: 'ca3aed11-1aa4-42a1-b85c-8332fc8001fc', name: 'Check In' },
  { uuid: '0e8230ce-bd1d-43f5-a863-cf44344fa4b0', name: 'Adult Visit' },
  { uuid: '3596fafb-6f6f-4396-8c87-6e63a0f1bd71', name: 'Lab Results' },
  { uuid: 'e22e39fd-7db2-45e7-80f1-60fa0d5a4378', name: 'Admission' },
  { uuid: '181820aa-88c9-479b-9077-af92f5364329', name: 'Discharge' },
  { uuid: '29c02aff-9a93-46c9-bf6f-48b552fcb1fa', name: 'Immunizations' },
  { uuid: '39da3525-afe4-45ff-8977-c53b7b359158', name: 'Order' },
];

export const VISIT_TYPES: NamedMetadata[] = [
  { uuid: '7b0f5697-27e3-40c4-8bae-f4049abfb4ed', name: 'Facility Visit' },
  { uuid: 'd66e9fe0-7d51-4801-a550-5d462ad1c944', name: 'Home Visit' },
  { uuid: '287463d3-2233-4c69-9851-5841a1f5e109', name: 'OPD Visit' },
  { uuid: 'a22733fa-3501-4020-a520-da024eeff088', name: 'Offline Visit' },
  { uuid: '78370d15-38ad-48a1-825f-f0e9ff60d5a1', name: 'Group Session' },
];

export const LOCATIONS: LocationMetadata[] = [
  { uuid: '8d6c993e-c2cc-11de-8d13-0010c6dffd0f', name: 'Unknown Location', tags: [] },
  { uuid: 'f47ac10b-58cc-4372-a567-0e02b2c3d479', name: 'Ubuntu Hospital', tags: ['Visit Location'] },
  {
    uuid: '44c3efb0-2583-4c80-a79e-1f756a03c0a1',
    name: 'Outpatient Clinic',
    tags: ['Login Location'],
    parent: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  },
  {
    uuid: 'ba685651-ed3b-4e63-9b35-78893060758a',
    name: 'Inpatient Ward',
    tags: ['Login Location'],
    parent: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  },
  { uuid: '8d9045ad-50f0-45b8-93c8-3ed4bce19dbf', name: 'Mobile Clinic', tags: ['Login Location'] },
];

export const TELEPHONE_NUMBER = '14d4f066-15f5-102d-96e4-000c29c2a5d7';

export const PERSON_ATTRIBUTE_TYPES: PersonAttributeType[] = [
  { uuid: TELEPHONE_NUMBER, name: 'Telephone Number', format: 'java.lang.String' },
  { uuid: '8b56eac7-5c76-4b9c-8c6f-1deab8d3fc47', name: 'Unknown patient', format: 'java.lang.String' },
];

export const ENCOUNTER_ROLES: NamedMetadata[] = [
  { uuid: 'a0b03050-c99b-11e0-9572-0800200c9a66', name: 'Unknown' },
  { uuid: '240b26f9-dd88-4172-823d-4a8bfeb7841f', name: 'Clinician' },
];

/** The admin's provider, so encounters can name a practitioner. */
export const PROVIDERS = [
  { uuid: 'f9badd80-ab76-11e2-9e96-0800200c9a66', identifier: 'UNKNOWN', name: 'Super User' },
];
