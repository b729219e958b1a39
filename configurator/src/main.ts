// `npm start -w configurator [-- --check]`: sets up OpenHIM and OpenMRS, then exits: 0 when all is
// well, 1 with the list of problems, 2 when it could not run (bad settings, a peer that never came up).
import { createLogger, loadSettings, SettingsError } from '@cht-openmrs/common';
import { configure } from './configure';
import { formatReport, problemsOf } from './report';
import { settingsShape } from './settings';

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: npm start -w configurator [-- --check]`);
    return 2;
  }
  const check = argv.includes('--check');
  try {
    const settings = loadSettings(settingsShape);
    if (settings.OPENMRS_HOST && (!settings.OPENMRS_USERNAME || !settings.OPENMRS_PASSWORD)) {
      throw new SettingsError(['OPENMRS_USERNAME and OPENMRS_PASSWORD: required when OPENMRS_HOST is set']);
    }
    const report = await configure(settings, check, createLogger('configurator', settings.LOG_LEVEL));
    console.log(formatReport(report, check));
    return problemsOf(report, check).length === 0 ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
