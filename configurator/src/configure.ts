// The configurator's run, in order: wait for OpenHIM; its client and channels; wait for OpenMRS (when
// configured); its identifier types; the mapping checked against it. With `check`, nothing is changed.
import { readFileSync } from 'node:fs';
import { loadMapping, type Logger } from '@cht-openmrs/common';
import { applyChannels, applyClient } from './openhim/apply';
import { desiredChannels, desiredClient } from './openhim/desired';
import { OpenhimApi } from './openhim/openhim-api';
import { ensureIdentifierTypes } from './openmrs/identifier-types';
import { checkMapping } from './openmrs/mapping-check';
import { checkOutboundCodes } from './openmrs/outbound-codes-check';
import { OpenmrsRest, type MetadataKind } from './openmrs/openmrs-rest';
import type { Report } from './report';
import type { ConfiguratorSettings } from './settings';
import { waitFor } from './wait-for';

function readOutbound(file: string): Parameters<typeof checkOutboundCodes>[1] {
  const settings = JSON.parse(readFileSync(file, 'utf8')) as {
    outbound?: Parameters<typeof checkOutboundCodes>[1];
  };
  return settings.outbound ?? {};
}

export function openmrsRestUrl(settings: ConfiguratorSettings): string {
  const path = settings.OPENMRS_CONTEXT_PATH.replace(/\/+$/, '');
  return `${settings.OPENMRS_PROTOCOL}://${settings.OPENMRS_HOST}:${settings.OPENMRS_PORT}${path}/ws/rest/v1`;
}

export async function configure(
  settings: ConfiguratorSettings,
  check: boolean,
  logger: Logger,
): Promise<Report> {
  const wait = (name: string) => (error: string) => logger.info({ error }, `waiting for ${name}`);
  const openhim = new OpenhimApi(
    settings.OPENHIM_API_URL,
    settings.OPENHIM_USERNAME,
    settings.OPENHIM_PASSWORD,
    settings.OPENHIM_TRUST_SELF_SIGNED,
    logger,
  );
  await waitFor('OpenHIM', () => openhim.heartbeat(), settings.CONFIGURATOR_WAIT_SECONDS, wait('OpenHIM'));
  const report: Report = {
    sections: [
      {
        title: `OpenHIM (${settings.OPENHIM_API_URL})`,
        steps: [
          await applyClient(openhim, desiredClient(settings), settings.OPENHIM_CLIENT_PASSWORD, check),
          ...(await applyChannels(openhim, desiredChannels(settings), check)),
        ],
      },
    ],
  };
  if (!settings.OPENMRS_HOST) return report;

  const openmrs = new OpenmrsRest(
    openmrsRestUrl(settings),
    settings.OPENMRS_USERNAME ?? '',
    settings.OPENMRS_PASSWORD ?? '',
    logger,
  );
  await waitFor('OpenMRS', () => openmrs.session(), settings.CONFIGURATOR_WAIT_SECONDS, wait('OpenMRS'));
  const mapping = settings.OPENMRS_MEDIATOR_MAPPING
    ? loadMapping(settings.OPENMRS_MEDIATOR_MAPPING)
    : undefined;
  const names = mapping
    ? Object.values(mapping.openmrs.identifierTypes)
    : ['CHT Document ID', 'CHT Patient ID'];
  report.sections.push({
    title: `OpenMRS (${openmrsRestUrl(settings)})`,
    steps: await ensureIdentifierTypes(openmrs, names, check),
  });
  if (mapping) {
    const lookup = (kind: MetadataKind, uuid: string) => openmrs.get(kind, uuid);
    const outbound = settings.CHT_APP_SETTINGS ? readOutbound(settings.CHT_APP_SETTINGS) : {};
    report.checks = {
      title: `Mapping (${settings.OPENMRS_MEDIATOR_MAPPING}) against OpenMRS${settings.CHT_APP_SETTINGS ? ` and the observation codes of ${settings.CHT_APP_SETTINGS}` : ''}`,
      lines: [
        ...(await checkMapping(mapping, lookup)),
        ...(await checkOutboundCodes(mapping, outbound, lookup)),
      ],
    };
  }
  return report;
}
