// The embedded FHIR store, started in-process: for tests, benchmarks, the demo, and small sites.
import type { Server } from 'node:http';
import { closeServer, createLogger, listen, serverUrl, type Logger } from '@cht-openmrs/common';
import { Bundles } from './bundles';
import { Store } from './database';
import { GroupCommit } from './group-commit';
import { createFhirApp } from './http';
import { Repository } from './repository';
import { Searches } from './search';
import { loadDefinitions } from './search-parameters';

export interface FhirStoreOptions {
  port?: number;
  host?: string;
  /** SQLite file, or ':memory:' (the default here). */
  database?: string;
  username?: string;
  password?: string;
  baseUrl?: string;
  defaultCount?: number;
  maxCount?: number;
  pageLifetimeMs?: number;
  logger?: Logger;
}

export interface RunningFhirStore {
  /** The FHIR base, e.g. http://127.0.0.1:41234/fhir */
  url: string;
  close(): Promise<void>;
}

export async function startFhirStore(options: FhirStoreOptions = {}): Promise<RunningFhirStore> {
  loadDefinitions();
  const store = new Store(options.database ?? ':memory:');
  const searches = new Searches(store, {
    defaultCount: options.defaultCount ?? 20,
    maxCount: options.maxCount ?? 1000,
    pageLifetimeMs: options.pageLifetimeMs ?? 60 * 60_000,
  });
  const repository = new Repository(store);
  const logger = options.logger ?? createLogger('fhir-store', 'silent');
  const bundles = new Bundles(store, repository, searches);
  const app = createFhirApp(repository, searches, bundles, new GroupCommit(store.db), logger, options);
  const server: Server = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const expiry = setInterval(() => searches.expire(), 60_000);
  expiry.unref();
  return {
    url: options.baseUrl ?? serverUrl(server, '/fhir'),
    async close() {
      clearInterval(expiry);
      await closeServer(server);
      store.close();
    },
  };
}
export { startTestFhirServer, externalFhirUrl, type TestFhirServer } from './test-server';
export { r4Errors } from './validate';
