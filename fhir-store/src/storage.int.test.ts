// The store on a database file, as `npm start -w fhir-store` runs it: a write is answered only once it is
// committed (writes share commits, see group-commit.ts), and what was answered survives a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import Database from 'better-sqlite3';
import type { Patient } from 'fhir/r4';
import { startFhirStore } from './index';

let folder: string;
let file: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'fhir-store-file-'));
  file = join(folder, 'store.sqlite');
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const http = axios.create({
  validateStatus: () => true,
  headers: { 'Content-Type': 'application/fhir+json' },
});
const patient = (value: string): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:test', value }],
});

/** A second connection to the database file: it sees only what has been committed. */
function committedPatient(id: string): boolean {
  const reader = new Database(file, { readonly: true });
  try {
    return (
      reader.prepare('SELECT 1 FROM resources WHERE type = ? AND id = ?').get('Patient', id) !== undefined
    );
  } finally {
    reader.close();
  }
}

it('answers a write only once it is committed, and keeps it across a restart', async () => {
  const first = await startFhirStore({ database: file });
  const created = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      http.post(`${first.url}/Patient`, patient(`p${i}`)).then((response) => ({
        status: response.status,
        id: response.data.id as string,
        committedWhenAnswered: committedPatient(response.data.id),
      })),
    ),
  );
  await first.close();
  expect(created.every((write) => write.status === 201 && write.committedWhenAnswered)).toBe(true);

  const second = await startFhirStore({ database: file });
  try {
    const reads = await Promise.all(created.map(({ id }) => http.get(`${second.url}/Patient/${id}`)));
    expect(reads.map((read) => read.status)).toEqual(Array(40).fill(200));
  } finally {
    await second.close();
  }
});
