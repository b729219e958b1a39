// The configurator's run, in order: wait for OpenHIM (and set root's password from OPENHIM_PASSWORD
// while it is still core's default); its client and channels; wait for OpenMRS (when configured); its
// identifier types; the mapping checked against it; wait for CHT (when configured); the credential and
// the outbound-push entries. With `check`, nothing is changed. A peer that cannot be reached or refuses
// the credentials stops the run with one line naming the setting to fix.
import { existsSync, readFileSync } from 'node:fs';
import {
  chtTarget,
  loadMapping,
  openhimTarget,
  openmrsBaseUrl,
  openmrsTarget,
  waitForPeer,
  type Logger,
  type PeerTarget,
} from '@cht-openmrs/common';
import { ChtApi, type OutboundEntries } from './cht/cht-api';
import { ensureOutbound, storeCredentials } from './cht/cht-setup';
import { applyChannels, applyClient } from './openhim/apply';
import { desiredChannels, desiredClient } from './openhim/desired';
import { OpenhimApi } from './openhim/openhim-api';
import { settleRootPassword } from './openhim/root-password';
import { ensureIdentifierTypes, type StepLine } from './openmrs/identifier-types';
import { checkMapping } from './openmrs/mapping-check';
import { checkOutboundCodes } from './openmrs/outbound-codes-check';
import { OpenmrsRest, type MetadataKind } from './openmrs/openmrs-rest';
import type { Report } from './report';
import type { ConfiguratorSettings } from './settings';

/** The outbound entries of CHT's app settings file, or none when it is not there to read. */
function readOutbound(file: string): Parameters<typeof checkOutboundCodes>[1] {
  if (!existsSync(file)) return {};
  const settings = JSON.parse(readFileSync(file, 'utf8')) as {
    outbound?: Parameters<typeof checkOutboundCodes>[1];
  };
  return settings.outbound ?? {};
}

export interface ConfigureOptions {
  check: boolean;
  /** Put cht-config's outbound entries into CHT's app settings when missing or different. */
  installChtOutbound?: boolean;
}

export function openmrsRestUrl(settings: ConfiguratorSettings): string {
  return `${openmrsBaseUrl({ ...settings, OPENMRS_HOST: settings.OPENMRS_HOST ?? '' })}/ws/rest/v1`;
}

/** Waits for the peer; throws its problem (naming the setting) when it does not come right. */
async function reach(target: PeerTarget, settings: ConfiguratorSettings, logger: Logger): Promise<void> {
  const status = await waitForPeer(target, settings.CONFIGURATOR_WAIT_SECONDS, (s) =>
    logger.info({ problem: s.problem }, `waiting for ${target.peer}`),
  );
  if (status.ok) return;
  const waited = status.fatal
    ? ''
    : ` (waited ${settings.CONFIGURATOR_WAIT_SECONDS} s: CONFIGURATOR_WAIT_SECONDS)`;
  throw new Error(`${status.problem}${waited}`);
}

async function configureOpenhim(settings: ConfiguratorSettings, check: boolean, logger: Logger) {
  const steps: StepLine[] = [];
  let password = settings.OPENHIM_PASSWORD;
  const status = await waitForPeer(openhimTarget(settings), settings.CONFIGURATOR_WAIT_SECONDS, (s) =>
    logger.info({ problem: s.problem }, 'waiting for OpenHIM'),
  );
  if (!status.ok && status.loginRefused) {
    const settled = await settleRootPassword(settings, status, check);
    steps.push(settled.line);
    password = settled.password;
  } else if (!status.ok) {
    const waited = status.fatal
      ? ''
      : ` (waited ${settings.CONFIGURATOR_WAIT_SECONDS} s: CONFIGURATOR_WAIT_SECONDS)`;
    throw new Error(`${status.problem}${waited}`);
  }
  const openhim = new OpenhimApi(
    settings.OPENHIM_API_URL,
    settings.OPENHIM_USERNAME,
    password,
    settings.OPENHIM_TRUST_SELF_SIGNED,
    logger,
  );
  steps.push(await applyClient(openhim, desiredClient(settings), settings.OPENHIM_CLIENT_PASSWORD, check));
  steps.push(...(await applyChannels(openhim, desiredChannels(settings), check)));
  return { title: `OpenHIM (${settings.OPENHIM_API_URL})`, steps };
}

async function configureOpenmrs(
  settings: ConfiguratorSettings & { OPENMRS_HOST: string },
  check: boolean,
  logger: Logger,
  report: Report,
) {
  await reach(openmrsTarget(settings), settings, logger);
  const openmrs = new OpenmrsRest(
    openmrsRestUrl(settings),
    settings.OPENMRS_USERNAME ?? '',
    settings.OPENMRS_PASSWORD ?? '',
    logger,
  );
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
    const file = settings.CONFIGURATOR_CHT_APP_SETTINGS;
    report.checks = {
      title: `Mapping (${settings.OPENMRS_MEDIATOR_MAPPING}) against OpenMRS, and the observation codes of ${file}`,
      lines: [
        ...(await checkMapping(mapping, lookup)),
        ...(await checkOutboundCodes(mapping, readOutbound(file), lookup)),
      ],
    };
  }
}

function outboundEntriesOf(file: string): OutboundEntries {
  let parsed: { outbound?: OutboundEntries };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as { outbound?: OutboundEntries };
  } catch (error) {
    throw new Error(`CONFIGURATOR_CHT_APP_SETTINGS: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!parsed.outbound || Object.keys(parsed.outbound).length === 0)
    throw new Error(`CONFIGURATOR_CHT_APP_SETTINGS: ${file} has no outbound entries`);
  return parsed.outbound;
}

async function configureCht(
  settings: ConfiguratorSettings & { CHT_URL: string },
  options: ConfigureOptions,
  logger: Logger,
) {
  const wanted = outboundEntriesOf(settings.CONFIGURATOR_CHT_APP_SETTINGS);
  const login = {
    CHT_URL: settings.CHT_URL,
    CHT_USERNAME: settings.CHT_USERNAME ?? '',
    CHT_PASSWORD: settings.CHT_PASSWORD ?? '',
    TLS_ALLOW_SELF_SIGNED: settings.TLS_ALLOW_SELF_SIGNED,
  };
  await reach(chtTarget(login), settings, logger);
  const cht = new ChtApi(
    settings.CHT_URL,
    login.CHT_USERNAME,
    login.CHT_PASSWORD,
    settings.TLS_ALLOW_SELF_SIGNED,
    logger,
  );
  const setup = {
    clientId: settings.OPENHIM_CLIENT_ID,
    clientPassword: settings.OPENHIM_CLIENT_PASSWORD,
    check: options.check,
    install: options.installChtOutbound ?? false,
  };
  return {
    title: `CHT (${settings.CHT_URL}), outbound push of ${settings.CONFIGURATOR_CHT_APP_SETTINGS}`,
    steps: [...(await storeCredentials(cht, wanted, setup)), ...(await ensureOutbound(cht, wanted, setup))],
  };
}

export async function configure(
  settings: ConfiguratorSettings,
  options: ConfigureOptions,
  logger: Logger,
): Promise<Report> {
  const report: Report = { sections: [await configureOpenhim(settings, options.check, logger)] };
  const { OPENMRS_HOST, CHT_URL } = settings;
  if (OPENMRS_HOST) await configureOpenmrs({ ...settings, OPENMRS_HOST }, options.check, logger, report);
  if (CHT_URL) report.sections.push(await configureCht({ ...settings, CHT_URL }, options, logger));
  return report;
}
