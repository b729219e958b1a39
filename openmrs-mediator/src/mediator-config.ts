// How this mediator presents itself to OpenHIM (openhim.md §2.1), with the polling channel an operator
// can install from the console. The configurator creates the same channel at start-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MediatorConfig } from '@cht-openmrs/common';
import type { OpenmrsMediatorSettings } from './settings';

export const OPENMRS_MEDIATOR_URN = 'urn:mediator:cht-openmrs:openmrs-mediator';

/** From package.json, one level above both src/ and dist/. */
const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

export function mediatorConfig(settings: OpenmrsMediatorSettings): MediatorConfig {
  const route = {
    name: 'OpenMRS mediator sync',
    host: settings.OPENMRS_MEDIATOR_HOST,
    port: settings.OPENMRS_MEDIATOR_PORT,
    path: '/sync',
    primary: true,
    type: 'http' as const,
    username: settings.OPENMRS_MEDIATOR_USERNAME,
    password: settings.OPENMRS_MEDIATOR_PASSWORD,
  };
  return {
    urn: OPENMRS_MEDIATOR_URN,
    version,
    name: 'OpenMRS mediator',
    description: 'Syncs patients and encounters between the FHIR server, OpenMRS and CHT, both ways',
    endpoints: [route],
    defaultChannelConfig: [
      {
        name: 'OpenMRS sync',
        urlPattern: '^/trigger$',
        type: 'polling',
        pollingSchedule: '1 minute',
        allow: ['interop'],
        routes: [route],
      },
    ],
  };
}
