// In-process API of the OpenMRS stand-in, for other packages' tests, benchmarks and the demo.
// Test and demo use only: it imitates OpenMRS 2.x with the fhir2 module (O3 settings); it is not OpenMRS.
import { join } from 'node:path';
import type { Server } from 'node:http';
import { closeServer, createLogger, listen, type Logger, serverUrl } from '@cht-openmrs/common';
import { Database } from './model/database';
import type { Clock } from './model/time';
import { PagedSearches } from './fhir/paging';
import { OpenmrsResources } from './fhir/resources';
import { createApp } from './http/app';
import { Authenticator, type SandboxUser } from './http/auth';
import { FHIR_PATH } from './http/fhir-routes';
import { REST_PATH } from './http/rest-routes';
import { SandboxControls } from './http/sandbox-routes';

export type { SandboxUser as OpenmrsUser } from './http/auth';
export type { Fault } from './http/sandbox-routes';
export { openmrsId } from './model/luhn';
export * as openmrsSeed from './model/seed';
export * as openmrsFactories from './test-support/factories';

export interface OpenmrsSandboxOptions {
  port?: number;
  host?: string;
  /** Directory for the snapshot file that keeps state across restarts; in memory when omitted. */
  dataDir?: string;
  users?: SandboxUser[];
  /** The server's time zone: output offsets and date-only search values use it (default UTC). */
  timeZone?: string;
  /** The clock, for tests of time rules (default Date.now). */
  now?: () => number;
  /** O3 sets visits.allowOverlappingVisits=false (the default here). */
  allowOverlappingVisits?: boolean;
  pageSize?: number;
  maximumPageSize?: number;
  storedSearches?: number;
  logger?: Logger;
}

export interface OpenmrsSandbox {
  /** e.g. http://127.0.0.1:41234/openmrs */
  url: string;
  fhirUrl: string;
  restUrl: string;
  controls: SandboxControls;
  database: Database;
  close(): Promise<void>;
}

export async function startOpenmrsSandbox(options: OpenmrsSandboxOptions = {}): Promise<OpenmrsSandbox> {
  const now = options.now ?? Date.now;
  const clock: Clock = { now, zone: options.timeZone ?? 'UTC' };
  const db = new Database(options.dataDir ? join(options.dataDir, 'openmrs.json') : undefined);
  const context = { db, clock };
  const resources = new OpenmrsResources(context, {
    allowOverlappingVisits: options.allowOverlappingVisits ?? false,
  });
  const searches = new PagedSearches(
    context,
    {
      defaultCount: options.pageSize ?? 10,
      maximumCount: options.maximumPageSize ?? 100,
      storedSearches: options.storedSearches ?? 100,
    },
    {
      toFhir: (type, row) => resources.toFhir(type, row),
      location: (uuid) => resources.locationToFhir(uuid),
    },
  );
  const auth = new Authenticator(options.users ?? [{ username: 'admin', password: 'Admin123' }], now);
  const controls = new SandboxControls(now);
  const reset = () => {
    db.reset();
    searches.clear();
    auth.reset();
    controls.setFault(undefined);
    controls.latencyMs = 0;
    controls.resetCounters();
  };
  const logger = options.logger ?? createLogger('openmrs-sandbox', 'silent');
  const app = createApp({ db, resources, searches, auth, controls, reset, logger });
  const server: Server = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const root = serverUrl(server);
  return {
    url: `${root}/openmrs`,
    fhirUrl: `${root}${FHIR_PATH}`,
    restUrl: `${root}${REST_PATH}`,
    controls,
    database: db,
    close: () => closeServer(server),
  };
}
