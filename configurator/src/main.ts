// `npm start -w configurator [-- --check] [-- --install-cht-outbound]`: sets up OpenHIM, OpenMRS and
// CHT, then exits: 0 when all is well, 1 with the list of problems, 2 when it could not run (bad
// settings, a peer that never came up or refused the credentials, named by its setting).
import { isAxiosError } from 'axios';
import { createLogger, loadSettings, SettingsError } from '@cht-openmrs/common';
import { configure } from './configure';
import { formatReport, problemsOf } from './report';
import { settingsShape } from './settings';

const FLAGS = ['--check', '--install-cht-outbound'];

/** A peer's refusal says which call, where, and what the peer answered. */
function describe(error: unknown): string {
  if (isAxiosError(error) && error.config) {
    const { method = 'get', baseURL = '', url = '' } = error.config;
    const answer = error.response
      ? `answered ${error.response.status}: ${JSON.stringify(error.response.data ?? '').slice(0, 300)}`
      : `failed: ${error.message}`;
    return `${method.toUpperCase()} ${baseURL}${url} ${answer}`;
  }
  return error instanceof Error ? error.message : String(error);
}
const USAGE = 'usage: npm start -w configurator [-- --check] [-- --install-cht-outbound]';

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const unknown = argv.filter((arg) => !FLAGS.includes(arg));
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const check = argv.includes('--check');
  try {
    const settings = loadSettings(settingsShape);
    const missing: string[] = [];
    if (settings.OPENMRS_HOST && (!settings.OPENMRS_USERNAME || !settings.OPENMRS_PASSWORD))
      missing.push('OPENMRS_USERNAME and OPENMRS_PASSWORD: required when OPENMRS_HOST is set');
    if (settings.CHT_URL && (!settings.CHT_USERNAME || !settings.CHT_PASSWORD))
      missing.push('CHT_USERNAME and CHT_PASSWORD: required when CHT_URL is set');
    if (missing.length > 0) throw new SettingsError(missing);
    const report = await configure(
      settings,
      { check, installChtOutbound: argv.includes('--install-cht-outbound') },
      createLogger('configurator', settings.LOG_LEVEL),
    );
    console.log(formatReport(report, check));
    return problemsOf(report, check).length === 0 ? 0 : 1;
  } catch (error) {
    console.error(describe(error));
    return 2;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
