// What an operator reads about a failed item (pure): the step that failed, a kind of error that groups
// items failing for the same reason (ids and values taken out), and the fix the error implies.

const STEPS: Record<string, string> = {
  'patients-to-openmrs': 'CHT patient → OpenMRS patient',
  'encounters-to-openmrs': 'CHT report → OpenMRS visit, encounter and observations',
  'patients-from-openmrs': 'OpenMRS patient → CHT person',
  'visits-from-openmrs': 'OpenMRS visit → CHT report',
  'observations-from-openmrs': 'OpenMRS observation edit → CHT report',
};

export function stepOf(stream: string): string {
  return STEPS[stream] ?? stream;
}

/** The error with its particulars (ids, uuids, quoted values, numbers) replaced, so alike errors match. */
export function errorKind(error: string): string {
  return error
    .replace(/\b[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+/g, '<ref>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b[0-9A-Z]{4,}A{8,}\b/g, '<concept>')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .trim();
}

const FIXES: [RegExp, string][] = [
  [
    /is not in OpenMRS yet/,
    "Resolve the patient's own item first (it is in this list, or look the patient up in Lineage); this one then goes in the same run.",
  ],
  [
    /concept \S+ is \w+, got/,
    'The value does not fit the concept the mapping names: correct that entry of the mapping file (its "valueType" or "concept", or add the CHT value to its "answers"; docs/MAPPING.md), or fix the report in CHT; the next run or a replay reads the file again.',
  ],
  [
    /already in use/i,
    'OpenMRS holds this identifier on another patient: merge or correct the patients in OpenMRS, then replay.',
  ],
  [
    /place|address/i,
    "The patient's address names no CHT place: correct address5/address4 in OpenMRS or the place name in CHT; it is placed on the next run.",
  ],
  [
    /\b(401|403)\b/,
    "A peer refused the login: correct that peer's password setting (the Overview names it) and restart the mediator, then replay.",
  ],
  [
    /\b(400|409|422)\b|valueNumeric|value/i,
    'OpenMRS refused the record: the text names the field; fix the data in CHT or the mapping file, then replay.',
  ],
];

export function fixFor(error: string): string {
  return (
    FIXES.find(([pattern]) => pattern.test(error))?.[1] ??
    'Read the error: fix the record or the mapping it names, then replay.'
  );
}
