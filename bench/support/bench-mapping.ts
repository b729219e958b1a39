// The mapping the sync benchmarks use: openmrs-mediator/mapping.json plus the benchmark's form.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONCEPTS, FORM } from './cht-data';

export function benchMapping(): string {
  const root = join(__dirname, '..', '..');
  const mapping = JSON.parse(readFileSync(join(root, 'openmrs-mediator', 'mapping.json'), 'utf8'));
  mapping.chtToOpenmrs.forms[FORM] = {
    visitType: 'd66e9fe0-7d51-4801-a550-5d462ad1c944',
    encounterType: 'd7151f82-c1f3-4152-a605-2f9ea7414a79',
    visitDurationMinutes: 30,
    observations: Object.fromEntries(
      CONCEPTS.map(([concept]) => [concept, { concept, valueType: 'numeric' }]),
    ),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'bench-mapping-')), 'mapping.json');
  writeFileSync(file, JSON.stringify(mapping));
  return file;
}
