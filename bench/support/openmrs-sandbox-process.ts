// The OpenMRS stand-in alone in its own process, as OpenMRS is its own server: its answers then come
// after the latency asked for, not after whatever the FHIR store in the benchmark's process is doing.
// Its controls (latency, counters) are reached through IPC messages; the first message out is its URLs.
import { startOpenmrsSandbox } from '@cht-openmrs/sandbox';

export type SandboxRequest =
  | { id: number; op: 'latency'; ms: number }
  | { id: number; op: 'resetCounters' }
  | { id: number; op: 'counts' };

async function main() {
  const openmrs = await startOpenmrsSandbox();
  process.on('message', (message: SandboxRequest) => {
    if (message.op === 'latency') openmrs.controls.latencyMs = message.ms;
    if (message.op === 'resetCounters') openmrs.controls.resetCounters();
    const answer = message.op === 'counts' ? openmrs.controls.counts() : {};
    process.send?.({ id: message.id, answer });
  });
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ url: openmrs.url, restUrl: openmrs.restUrl });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
