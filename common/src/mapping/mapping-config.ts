// The mapping between CHT and OpenMRS (design.md §5): which CHT forms become which OpenMRS visit and
// encounter types, which fields map to which concepts with which value types, which OpenMRS visits come
// back as which CHT forms, and how OpenMRS addresses find CHT places. Configuration, never code: it is
// read from a JSON file, validated once at start-up, and every problem names the entry to fix.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const VALUE_TYPES = ['numeric', 'coded', 'text', 'datetime', 'boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const ADDRESS_FIELDS = Array.from({ length: 15 }, (_, i) => `address${i + 1}`) as [string, ...string[]];

const uuid = z.string().regex(/^[A-Za-z0-9-]{36}$/, {
  error: 'expected an OpenMRS uuid (36 characters, e.g. 5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)',
});

const observationMapping = z.strictObject({
  concept: uuid.describe('OpenMRS concept uuid'),
  valueType: z.enum(VALUE_TYPES),
  /** Coded values: CHT value → OpenMRS answer concept uuid. Values not listed must be answer uuids. */
  answers: z.record(z.string(), uuid).optional(),
});

const formToOpenmrs = z.strictObject({
  visitType: uuid.describe('OpenMRS visit type uuid, e.g. Home Visit'),
  encounterType: uuid.describe('OpenMRS encounter type uuid, e.g. Visit Note'),
  /** The visit runs from the report's time for this long (O3 forbids open, overlapping visits). */
  visitDurationMinutes: z
    .number()
    .int()
    .positive()
    .max(24 * 60)
    .default(30),
  /** Observation code as CHT sends it → concept. */
  observations: z.record(z.string(), observationMapping).default({}),
  /**
   * Codes not listed: `by-code` sends a code that is a concept uuid as that concept, its value type
   * taken from the FHIR value[x] (the CHT docs' default); `skip` skips and counts them. A form entry
   * without it takes the "*" entry's; with neither, `skip`.
   */
  unlisted: z.enum(['skip', 'by-code']).optional(),
});

const visitToCht = z.strictObject({
  visitType: uuid,
  /** Only visits with an encounter of this type; unset: any visit of the visit type. */
  encounterType: uuid.optional(),
  /** The CHT JSON form (app_settings.forms) the report is written as. */
  form: z.string().min(1),
  /** Concept uuid → CHT field name. Concepts not listed use the concept uuid in lower case. */
  fields: z.record(uuid, z.string().min(1)).default({}),
});

export const mappingSchema = z.strictObject({
  openmrs: z.strictObject({
    /** Where visits and encounters created from CHT take place. */
    locationUuid: uuid,
    identifierTypes: z
      .strictObject({ chtDocumentId: z.string().min(1), chtPatientId: z.string().min(1) })
      .default({ chtDocumentId: 'CHT Document ID', chtPatientId: 'CHT Patient ID' }),
  }),
  chtToOpenmrs: z.strictObject({
    /** CHT form code → OpenMRS visit. The key "*" applies to reports whose form has no entry. */
    forms: z.record(z.string(), formToOpenmrs),
  }),
  openmrsToCht: z.strictObject({
    patients: z
      .strictObject({
        /** Address fields holding the CHT place, first match wins (the CHT docs: address5, else address4). */
        placeFields: z.array(z.enum(ADDRESS_FIELDS)).min(1).default(['address5', 'address4']),
        /** CHT contact types a patient may be placed under. */
        placeTypes: z
          .array(z.string().min(1))
          .min(1)
          .default(['clinic', 'health_center', 'district_hospital']),
        /** `role` given to persons created in CHT (cht-config pushes role "patient" back). */
        role: z.string().default('patient'),
      })
      .default({
        placeFields: ['address5', 'address4'],
        placeTypes: ['clinic', 'health_center', 'district_hospital'],
        role: 'patient',
      }),
    visits: z.array(visitToCht).default([]),
  }),
});

export type Mapping = z.infer<typeof mappingSchema>;
export type FormToOpenmrs = z.infer<typeof formToOpenmrs>;
export type ObservationMapping = z.infer<typeof observationMapping>;
export type VisitToCht = z.infer<typeof visitToCht>;

export class MappingError extends Error {
  override name = 'MappingError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid mapping in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates a parsed mapping; throws MappingError listing every problem by its path in the file. */
export function parseMapping(raw: unknown, source = 'mapping'): Mapping {
  const result = mappingSchema.safeParse(raw);
  if (!result.success) {
    throw new MappingError(
      source,
      result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
      ),
    );
  }
  const problems: string[] = [];
  result.data.openmrsToCht.visits.forEach((visit, i) => {
    const twin = result.data.openmrsToCht.visits.findIndex(
      (other) => other.visitType === visit.visitType && other.encounterType === visit.encounterType,
    );
    if (twin !== i)
      problems.push(
        `openmrsToCht.visits.${i}: same visitType and encounterType as openmrsToCht.visits.${twin}`,
      );
  });
  for (const [form, entry] of Object.entries(result.data.chtToOpenmrs.forms)) {
    for (const [code, observation] of Object.entries(entry.observations)) {
      if (observation.answers && observation.valueType !== 'coded') {
        problems.push(
          `chtToOpenmrs.forms.${form}.observations.${code}.answers: only coded values have answers`,
        );
      }
    }
  }
  if (problems.length > 0) throw new MappingError(source, problems);
  return result.data;
}

export function loadMapping(file: string): Mapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MappingError(file, [`cannot read it as JSON: ${(error as Error).message}`]);
  }
  return parseMapping(raw, file);
}

/** The mapping for a CHT form: its own entry (refining the "*" entry), else the "*" entry, else none. */
export function formMapping(mapping: Mapping, form: string | undefined): FormToOpenmrs | undefined {
  const fallback = mapping.chtToOpenmrs.forms['*'];
  const own = form ? mapping.chtToOpenmrs.forms[form] : undefined;
  if (!own) return fallback;
  return { ...own, unlisted: own.unlisted ?? fallback?.unlisted ?? 'skip' };
}

/** Whether a code can stand for an OpenMRS concept by itself (a concept uuid). */
export const isConceptUuid = (code: string) => /^[A-Za-z0-9-]{36}$/.test(code);

/** The CHT form for an OpenMRS visit: an entry for its encounter type wins over one for the visit type only. */
export function visitMapping(
  mapping: Mapping,
  visitType: string,
  encounterTypes: string[],
): VisitToCht | undefined {
  const candidates = mapping.openmrsToCht.visits.filter((v) => v.visitType === visitType);
  return (
    candidates.find((v) => v.encounterType !== undefined && encounterTypes.includes(v.encounterType)) ??
    candidates.find((v) => v.encounterType === undefined)
  );
}
