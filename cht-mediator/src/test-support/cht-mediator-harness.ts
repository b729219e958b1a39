// Starts a real CHT mediator on a loopback port against a FHIR server, for integration tests.
import type { Server } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { closeServer, createLogger, FhirClient, listen, loadSettings, serverUrl } from '@cht-openmrs/common';
import { createApp } from '../app';
import { settingsShape } from '../settings';

export const MEDIATOR_USER = { username: 'interop-client', password: 'interop-password' };

export interface RunningMediator {
  url: string;
  /** A client that sends the mediator credentials and never throws on a status. */
  http: AxiosInstance;
  fhir: FhirClient;
  close(): Promise<void>;
}

export async function startChtMediator(
  fhirUrl: string,
  overrides: Record<string, string> = {},
): Promise<RunningMediator> {
  const settings = loadSettings(settingsShape, {
    CHT_MEDIATOR_PORT: '1',
    CHT_MEDIATOR_USERNAME: MEDIATOR_USER.username,
    CHT_MEDIATOR_PASSWORD: MEDIATOR_USER.password,
    FHIR_URL: fhirUrl,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const server: Server = await listen(
    createApp(settings, createLogger('cht-mediator', 'silent')),
    0,
    '127.0.0.1',
  );
  const url = serverUrl(server);
  return {
    url,
    http: axios.create({ baseURL: url, auth: MEDIATOR_USER, validateStatus: () => true }),
    fhir: new FhirClient({ baseURL: fhirUrl, retries: 0 }),
    close: () => closeServer(server),
  };
}
