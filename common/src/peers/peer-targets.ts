// The probe of each peer our services use, and the settings that configure it.
import type { PeerTarget } from './peer-check';

export function fhirTarget(s: {
  FHIR_URL: string;
  FHIR_USERNAME?: string | undefined;
  FHIR_PASSWORD?: string | undefined;
}): PeerTarget {
  return {
    peer: 'the FHIR server',
    url: s.FHIR_URL,
    probePath: '/metadata',
    username: s.FHIR_USERNAME,
    password: s.FHIR_PASSWORD,
    settings: { address: 'FHIR_URL', username: 'FHIR_USERNAME', password: 'FHIR_PASSWORD' },
  };
}

export function openhimTarget(s: {
  OPENHIM_API_URL: string;
  OPENHIM_USERNAME: string;
  OPENHIM_PASSWORD: string;
  OPENHIM_TRUST_SELF_SIGNED: boolean;
}): PeerTarget {
  return {
    peer: 'OpenHIM',
    url: s.OPENHIM_API_URL,
    // a user may read itself; 401 for a wrong password
    probePath: `/users/${encodeURIComponent(s.OPENHIM_USERNAME)}`,
    username: s.OPENHIM_USERNAME,
    password: s.OPENHIM_PASSWORD,
    allowSelfSigned: s.OPENHIM_TRUST_SELF_SIGNED,
    settings: {
      address: 'OPENHIM_API_URL',
      username: 'OPENHIM_USERNAME',
      password: 'OPENHIM_PASSWORD',
      tls: 'OPENHIM_TRUST_SELF_SIGNED',
    },
  };
}

export interface OpenmrsAddress {
  OPENMRS_PROTOCOL: 'http' | 'https';
  OPENMRS_HOST: string;
  OPENMRS_PORT: number;
  OPENMRS_CONTEXT_PATH: string;
  OPENMRS_USERNAME?: string | undefined;
  OPENMRS_PASSWORD?: string | undefined;
  TLS_ALLOW_SELF_SIGNED?: boolean;
}

export function openmrsBaseUrl(s: OpenmrsAddress): string {
  const path = s.OPENMRS_CONTEXT_PATH.replace(/\/+$/, '');
  return `${s.OPENMRS_PROTOCOL}://${s.OPENMRS_HOST}:${s.OPENMRS_PORT}${path}`;
}

export function openmrsTarget(s: OpenmrsAddress): PeerTarget {
  return {
    peer: 'OpenMRS',
    url: openmrsBaseUrl(s),
    // FHIR2 answers 401 to a refused login (REST's /session answers 200 with authenticated: false)
    probePath: '/ws/fhir2/R4/Patient?_count=1',
    username: s.OPENMRS_USERNAME,
    password: s.OPENMRS_PASSWORD,
    allowSelfSigned: s.TLS_ALLOW_SELF_SIGNED,
    settings: {
      address: 'OPENMRS_HOST/OPENMRS_PORT',
      host: 'OPENMRS_HOST',
      path: 'OPENMRS_CONTEXT_PATH',
      username: 'OPENMRS_USERNAME',
      password: 'OPENMRS_PASSWORD',
      tls: 'TLS_ALLOW_SELF_SIGNED',
    },
  };
}

export function chtTarget(s: {
  CHT_URL: string;
  CHT_USERNAME: string;
  CHT_PASSWORD: string;
  TLS_ALLOW_SELF_SIGNED?: boolean;
}): PeerTarget {
  return {
    peer: 'CHT',
    url: s.CHT_URL,
    probePath: '/api/v1/settings',
    username: s.CHT_USERNAME,
    password: s.CHT_PASSWORD,
    allowSelfSigned: s.TLS_ALLOW_SELF_SIGNED,
    settings: {
      address: 'CHT_URL',
      username: 'CHT_USERNAME',
      password: 'CHT_PASSWORD',
      tls: 'TLS_ALLOW_SELF_SIGNED',
    },
  };
}
