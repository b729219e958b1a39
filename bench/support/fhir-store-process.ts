// The embedded FHIR store alone in its own process, as it runs in production (its own container),
// behind a proxy that counts the requests it gets. The first IPC message out is the proxy's URL (and the
// store's own, for loading data uncounted); later messages ask for or reset the counts.
import { startFhirStore } from '@cht-openmrs/fhir-store';
import { countingProxy } from '../../common/src/test-support/counting-proxy';

export type StoreRequest =
  { id: number; op: 'count' } | { id: number; op: 'byMethod' } | { id: number; op: 'reset' };

async function main() {
  const store = await startFhirStore();
  const proxy = await countingProxy(store.url);
  process.on('message', (message: StoreRequest) => {
    if (message.op === 'reset') proxy.reset();
    const answer = message.op === 'count' ? proxy.count() : message.op === 'byMethod' ? proxy.byMethod() : {};
    process.send?.({ id: message.id, answer });
  });
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ url: proxy.url, storeUrl: store.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
