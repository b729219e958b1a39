// The patient identifier types the sync writes (design.md §3): created when missing, unique, with no
// location, so OpenMRS accepts them through FHIR without a location and refuses duplicates.
import type { OpenmrsRest } from './openmrs-rest';

export interface StepLine {
  step: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'missing' | 'problem';
  detail: string;
}

export async function ensureIdentifierTypes(
  openmrs: OpenmrsRest,
  names: string[],
  check: boolean,
): Promise<StepLine[]> {
  const lines: StepLine[] = [];
  for (const name of names) {
    const found = await openmrs.identifierTypes(name);
    const active = found.filter((type) => !type.retired);
    if (active.length > 1) {
      lines.push({
        step: `identifier type "${name}"`,
        outcome: 'problem',
        detail: `${active.length} types have this name; retire all but one`,
      });
    } else if (active.length === 1) {
      lines.push({
        step: `identifier type "${name}"`,
        outcome: 'unchanged',
        detail: `exists (${active[0]?.uuid})`,
      });
    } else if (check) {
      lines.push({ step: `identifier type "${name}"`, outcome: 'missing', detail: 'would be created' });
    } else {
      const created = await openmrs.createIdentifierType(
        name,
        `Set by the CHT–OpenMRS interoperability configurator`,
      );
      lines.push({ step: `identifier type "${name}"`, outcome: 'created', detail: created.uuid });
    }
  }
  return lines;
}
