// Checks everything the mapping names against OpenMRS before go-live (design.md §5): the location,
// visit types, encounter types, and every concept with a datatype that fits the mapped value type.
// Each problem names the mapping entry to fix.
import type { Mapping, ValueType } from '@cht-openmrs/common';
import type { MetadataKind, RestObject } from './openmrs-rest';

export type Lookup = (kind: MetadataKind, uuid: string) => Promise<RestObject | undefined>;

/** OpenMRS concept datatypes each mapped value type can be written as. */
const FITTING_DATATYPES: Record<ValueType, string[]> = {
  numeric: ['Numeric'],
  coded: ['Coded'],
  text: ['Text'],
  datetime: ['Datetime', 'Date', 'Time'],
  boolean: ['Boolean'],
};

export interface CheckLine {
  entry: string;
  what: string;
  ok: boolean;
  detail: string;
}

export async function checkMapping(mapping: Mapping, lookup: Lookup): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const exists = async (entry: string, kind: MetadataKind, uuid: string) => {
    const found = await lookup(kind, uuid);
    const ok = Boolean(found && !found.retired);
    const detail = !found
      ? `no ${kind} ${uuid} in OpenMRS`
      : found.retired
        ? `${kind} ${uuid} is retired`
        : `${found.display ?? found.name}`;
    lines.push({ entry, what: kind, ok, detail });
    return found;
  };

  await exists('openmrs.locationUuid', 'location', mapping.openmrs.locationUuid);
  for (const [form, entry] of Object.entries(mapping.chtToOpenmrs.forms)) {
    const at = `chtToOpenmrs.forms.${form}`;
    await exists(`${at}.visitType`, 'visittype', entry.visitType);
    await exists(`${at}.encounterType`, 'encountertype', entry.encounterType);
    for (const [code, observation] of Object.entries(entry.observations)) {
      const path = `${at}.observations.${code}`;
      const concept = await exists(`${path}.concept`, 'concept', observation.concept);
      if (!concept) continue;
      const datatype = concept.datatype?.display ?? concept.datatype?.name ?? 'unknown';
      const fits = FITTING_DATATYPES[observation.valueType].includes(datatype);
      lines.push({
        entry: `${path}.valueType`,
        what: 'datatype',
        ok: fits,
        detail: fits
          ? `${observation.valueType} fits ${datatype}`
          : `concept ${observation.concept} (${concept.display}) is ${datatype}, the mapping says ${observation.valueType}`,
      });
      for (const [value, answer] of Object.entries(observation.answers ?? {})) {
        await exists(`${path}.answers.${value}`, 'concept', answer);
      }
    }
  }
  for (const [i, visit] of mapping.openmrsToCht.visits.entries()) {
    await exists(`openmrsToCht.visits.${i}.visitType`, 'visittype', visit.visitType);
    if (visit.encounterType)
      await exists(`openmrsToCht.visits.${i}.encounterType`, 'encountertype', visit.encounterType);
    for (const concept of Object.keys(visit.fields))
      await exists(`openmrsToCht.visits.${i}.fields.${concept}`, 'concept', concept);
  }
  return lines;
}
