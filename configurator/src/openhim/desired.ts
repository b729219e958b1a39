// What OpenHIM must hold for this system (openhim.md §3, §4), built from settings (pure): the client
// CHT outbound push and the polling channel use, and the channels to the CHT mediator, the FHIR server,
// OpenMRS (only when OpenMRS is configured, as the CHT docs promise) and the polling channel that
// triggers the sync. Every HTTP channel lists its methods: one without them never matches (§3.3).
import { createHash, randomBytes } from 'node:crypto';
import type { ChannelConfig, RouteConfig } from '@cht-openmrs/common';
import type { ConfiguratorSettings } from '../settings';

export interface OpenhimClient {
  clientID: string;
  name: string;
  roles: string[];
  passwordAlgorithm: 'sha512';
  passwordSalt: string;
  passwordHash: string;
}

export const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** Client Basic auth on the router checks hex(sha512(password + salt)): password first (§4). */
export function clientPasswordHash(password: string, salt: string): string {
  return createHash('sha512')
    .update(password + salt)
    .digest('hex');
}

export function desiredClient(
  settings: ConfiguratorSettings,
  salt = randomBytes(16).toString('hex'),
): OpenhimClient {
  return {
    clientID: settings.OPENHIM_CLIENT_ID,
    name: 'CHT and sync client',
    roles: [settings.OPENHIM_CLIENT_ROLE],
    passwordAlgorithm: 'sha512',
    passwordSalt: salt,
    passwordHash: clientPasswordHash(settings.OPENHIM_CLIENT_PASSWORD, salt),
  };
}

function channel(
  name: string,
  urlPattern: string,
  allow: string,
  routes: RouteConfig[],
  extra: Partial<ChannelConfig> = {},
): ChannelConfig {
  return {
    name,
    urlPattern,
    type: 'http',
    methods: ALL_METHODS,
    allow: [allow],
    authType: 'private',
    status: 'enabled',
    requestBody: true,
    responseBody: true,
    routes,
    ...extra,
  };
}

export function desiredChannels(settings: ConfiguratorSettings): ChannelConfig[] {
  const role = settings.OPENHIM_CLIENT_ROLE;
  const fhir = new URL(settings.FHIR_URL);
  const fhirPath = fhir.pathname.replace(/\/+$/, '');
  const channels: ChannelConfig[] = [
    channel(
      'CHT mediator',
      '^/mediator/.*$',
      role,
      [
        {
          name: 'CHT mediator',
          host: settings.CHT_MEDIATOR_HOST,
          port: settings.CHT_MEDIATOR_PORT,
          pathTransform: 's/\\/mediator/',
          primary: true,
          type: 'http',
          username: settings.CHT_MEDIATOR_USERNAME,
          password: settings.CHT_MEDIATOR_PASSWORD,
        },
      ],
      { methods: ['GET', 'POST'] },
    ),
    channel('FHIR server', '^/fhir(/.*)?$', role, [
      {
        name: 'FHIR server',
        host: fhir.hostname,
        port: Number(fhir.port || (fhir.protocol === 'https:' ? 443 : 80)),
        secured: fhir.protocol === 'https:',
        // OpenHIM's /fhir/… reaches the server's own base path
        ...(fhirPath === '/fhir' ? {} : { pathTransform: `s/^\\/fhir/${fhirPath.replaceAll('/', '\\/')}/` }),
        primary: true,
        type: 'http',
        ...(settings.FHIR_USERNAME
          ? { username: settings.FHIR_USERNAME, password: settings.FHIR_PASSWORD ?? '' }
          : {}),
      },
    ]),
    {
      name: 'OpenMRS sync',
      urlPattern: '^/trigger$',
      type: 'polling',
      pollingSchedule: settings.SYNC_POLLING_SCHEDULE,
      allow: [role],
      authType: 'private', // core's default: stated, so a stored channel compares equal
      status: 'enabled',
      routes: [
        {
          name: 'OpenMRS mediator sync',
          host: settings.OPENMRS_MEDIATOR_HOST,
          port: settings.OPENMRS_MEDIATOR_PORT,
          path: '/sync',
          primary: true,
          type: 'http',
          username: settings.OPENMRS_MEDIATOR_USERNAME,
          password: settings.OPENMRS_MEDIATOR_PASSWORD,
        },
      ],
    },
  ];
  if (settings.OPENMRS_HOST) {
    const context = settings.OPENMRS_CONTEXT_PATH.replace(/^\/+|\/+$/g, '');
    channels.push(
      channel('OpenMRS', '^/openmrs/.*$', role, [
        {
          name: 'OpenMRS FHIR API',
          host: settings.OPENMRS_HOST,
          port: settings.OPENMRS_PORT,
          secured: settings.OPENMRS_PROTOCOL === 'https',
          // /openmrs/Patient → /<context>/ws/fhir2/R4/Patient (openhim.md §7.1)
          pathTransform: `s/^\\/openmrs/\\/${context}\\/ws\\/fhir2\\/R4/`,
          primary: true,
          type: 'http',
          username: settings.OPENMRS_USERNAME ?? '',
          password: settings.OPENMRS_PASSWORD ?? '',
        },
      ]),
    );
  }
  return channels;
}
