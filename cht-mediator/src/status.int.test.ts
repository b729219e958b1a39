// /status names each peer the CHT mediator cannot reach or log in to, with the setting to fix.
import axios from 'axios';
import { closeServer, createLogger, listen, loadSettings, serverUrl } from '@cht-openmrs/common';
import { startFhirStore } from '@cht-openmrs/fhir-store';
import { startOpenhimSandbox } from '@cht-openmrs/sandbox';
import { createApp } from './app';
import { settingsShape } from './settings';

const USER = { username: 'interop-client', password: 'interop-password' };

it('GET /status (with the mediator credentials) lists the FHIR server and OpenHIM, naming the setting of each problem', async () => {
  const store = await startFhirStore();
  const openhim = await startOpenhimSandbox({ polling: false });
  const settings = loadSettings(settingsShape, {
    CHT_MEDIATOR_USERNAME: USER.username,
    CHT_MEDIATOR_PASSWORD: USER.password,
    FHIR_URL: store.url,
    OPENHIM_API_URL: openhim.apiUrl,
    OPENHIM_PASSWORD: 'not-the-password',
    LOG_LEVEL: 'silent',
  });
  const server = await listen(createApp(settings, createLogger('test', 'silent')), 0, '127.0.0.1');
  try {
    const url = `${serverUrl(server)}/status`;
    expect((await axios.get(url, { validateStatus: () => true })).status).toBe(401);
    const { data } = await axios.get(url, { auth: USER });
    expect(data.peers).toEqual([
      expect.objectContaining({ peer: 'the FHIR server', url: store.url, ok: true }),
      expect.objectContaining({
        peer: 'OpenHIM',
        ok: false,
        fatal: true,
        problem: `OPENHIM_PASSWORD: OpenHIM at ${openhim.apiUrl} answered 401 for user root@openhim.org`,
      }),
    ]);
    await store.close();
  } finally {
    await closeServer(server);
    await openhim.close();
  }
});
