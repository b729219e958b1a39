// /status names each peer the mediator cannot reach or log in to, with the setting to fix.
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

let stack: SyncStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('GET /status: peers', () => {
  it('says all peers are reachable and accept the login', async () => {
    stack = await startSyncStack();
    const { data } = await stack.mediator.get('/status');
    expect(data.peers.map((p: { peer: string; ok: boolean }) => [p.peer, p.ok])).toEqual([
      ['the FHIR server', true],
      ['OpenMRS', true],
      ['CHT', true],
    ]);
  });

  it('names OPENMRS_PASSWORD and CHT_PASSWORD when they are refused', async () => {
    stack = await startSyncStack({ OPENMRS_PASSWORD: 'wrong', CHT_PASSWORD: 'wrong' });
    const { data } = await stack.mediator.get('/status');
    const problems = data.peers.map((p: { problem?: string }) => p.problem);
    const openmrs = stack.openmrsSandbox.url.replace(/\/$/, '');
    expect(problems).toEqual([
      undefined,
      `OPENMRS_PASSWORD: OpenMRS at ${openmrs} answered 401 for user admin`,
      `CHT_PASSWORD: CHT at ${stack.cht.url} answered 401 for user medic`,
    ]);
  });
});
