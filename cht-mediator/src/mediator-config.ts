// How this mediator presents itself to OpenHIM (openhim.md §2.1), including the channel an operator
// can install from the console. The configurator creates the same channel at start-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MediatorConfig } from '@cht-openmrs/common';
import type { ChtMediatorSettings } from './settings';

export const CHT_MEDIATOR_URN = 'urn:mediator:cht-openmrs:cht-mediator';

/** From package.json, one level above both src/ and dist/. */
const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

export function mediatorConfig(settings: ChtMediatorSettings): MediatorConfig {
  const route = {
    name: 'CHT mediator',
    host: settings.CHT_MEDIATOR_HOST,
    port: settings.CHT_MEDIATOR_PORT,
    primary: true,
    type: 'http' as const,
    username: settings.CHT_MEDIATOR_USERNAME,
    password: settings.CHT_MEDIATOR_PASSWORD,
  };
  return {
    urn: CHT_MEDIATOR_URN,
    version,
    name: 'CHT mediator',
    description: 'Receives CHT outbound push and stores FHIR Patient, Encounter and Observation resources',
    endpoints: [{ ...route, path: '/' }],
    defaultChannelConfig: [
      {
        name: 'CHT mediator',
        urlPattern: '^/mediator/.*$',
        methods: ['GET', 'POST'],
        type: 'http',
        allow: ['interop'],
        authType: 'private',
        routes: [{ ...route, pathTransform: 's/\\/mediator/' }],
      },
    ],
  };
}
