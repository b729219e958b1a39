// The FHIR server an integration test runs against. Without FHIR_URL: a fresh embedded store. With it
// (set by `npm run test:hapi`): that server, emptied first with `$expunge`, so each test starts from
// nothing as it does on a fresh store. Only a server that calls itself test-only in its
// CapabilityStatement (conformance/hapi) is ever emptied.
import type { CapabilityStatement } from 'fhir/r4';
import { startFhirStore, type FhirStoreOptions, type RunningFhirStore } from './index';

export const TEST_ONLY_MARKER = 'TEST-ONLY HAPI FHIR conformance server (cht-openmrs-interop)';

export interface TestFhirServer extends RunningFhirStore {
  /** True when it is the external server named by FHIR_URL, which a test can neither stop nor restart. */
  external: boolean;
}

/** The external server tests run against, if any (FHIR_URL). */
export const externalFhirUrl = (): string | undefined => process.env.FHIR_URL || undefined;

export async function startTestFhirServer(options: FhirStoreOptions = {}): Promise<TestFhirServer> {
  const url = externalFhirUrl();
  if (!url) return { ...(await startFhirStore(options)), external: false };
  await emptyTestServer(url);
  return { url, external: true, close: async () => undefined };
}

/** Removes every resource, version and stored search; refuses a server not marked test-only. */
export async function emptyTestServer(url: string): Promise<void> {
  const metadata = (await (await fetch(`${url}/metadata`)).json()) as CapabilityStatement;
  if (metadata.implementation?.description !== TEST_ONLY_MARKER) {
    throw new Error(
      `FHIR_URL=${url} is not a test-only server (see conformance/hapi): tests will not empty it`,
    );
  }
  const response = await fetch(`${url}/$expunge`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Parameters',
      parameter: [{ name: 'expungeEverything', valueBoolean: true }],
    }),
  });
  if (!response.ok) throw new Error(`emptying ${url} failed: ${response.status} ${await response.text()}`);
}
