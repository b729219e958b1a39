import type { Meta } from 'fhir/r4';
import type { Database, Row } from '../model/database';
import { fhirInstant, type Clock } from '../model/time';

/** What every translator and service needs: the tables and the server's clock and time zone. */
export interface OpenmrsContext {
  db: Database;
  clock: Clock;
}

/** lastUpdated = dateChanged ?? dateCreated; versionId = its epoch milliseconds (§3). */
export function metaOf(row: Pick<Row, 'dateCreated' | 'dateChanged'>, zone: string): Meta {
  const lastUpdated = row.dateChanged ?? row.dateCreated;
  return { versionId: String(lastUpdated), lastUpdated: fhirInstant(lastUpdated, zone) };
}

export const lastUpdatedOf = (row: Pick<Row, 'dateCreated' | 'dateChanged'>): number =>
  row.dateChanged ?? row.dateCreated;
