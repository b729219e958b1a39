// CHT's side of the set-up: the credential outbound push sends to OpenHIM, and the outbound-push entries
// of cht-config/app_settings.json in CHT's app settings. Without `install`, entries that are missing or
// differ are reported by key; with it, they are put in, and every other setting is kept.
import type { StepLine } from '../openmrs/identifier-types';
import type { ChtApi, OutboundEntries } from './cht-api';
import { differingPaths } from './outbound-diff';

interface BasicAuth {
  type?: string;
  username?: string;
  password_key?: string;
}

const authOf = (entry: unknown): BasicAuth | undefined =>
  (entry as { destination?: { auth?: BasicAuth } } | undefined)?.destination?.auth;

export interface ChtSetupOptions {
  clientId: string;
  clientPassword: string;
  check: boolean;
  install: boolean;
}

/** One credential per password_key the entries name (CHT's outbound docs use "openhim1"). */
export async function storeCredentials(
  cht: ChtApi,
  wanted: OutboundEntries,
  options: ChtSetupOptions,
): Promise<StepLine[]> {
  const lines: StepLine[] = [];
  const keys = new Set<string>();
  for (const [name, entry] of Object.entries(wanted)) {
    const auth = authOf(entry);
    if (auth?.type !== 'basic' || !auth.password_key) continue;
    if (auth.username !== options.clientId) {
      lines.push({
        step: `outbound "${name}" user`,
        outcome: 'problem',
        detail: `sends user "${auth.username}" but OPENHIM_CLIENT_ID is "${options.clientId}"; make them the same`,
      });
    }
    keys.add(auth.password_key);
  }
  for (const key of keys) {
    const step = `credential "${key}"`;
    if (options.check) {
      lines.push({ step, outcome: 'unchanged', detail: 'not checked: CHT cannot show a stored credential' });
      continue;
    }
    await cht.putCredential(key, options.clientPassword);
    lines.push({ step, outcome: 'updated', detail: 'stored as OPENHIM_CLIENT_PASSWORD (on every run)' });
  }
  return lines;
}

export async function ensureOutbound(
  cht: ChtApi,
  wanted: OutboundEntries,
  options: ChtSetupOptions,
): Promise<StepLine[]> {
  const current = ((await cht.settings()).outbound ?? {}) as OutboundEntries;
  const lines: StepLine[] = [];
  const missing: string[] = [];
  const differing: string[] = [];
  for (const [name, entry] of Object.entries(wanted)) {
    const step = `outbound "${name}"`;
    if (!(name in current)) {
      missing.push(name);
      lines.push({ step, outcome: 'missing', detail: "not in CHT's app settings" });
      continue;
    }
    const paths = differingPaths(entry, current[name]);
    if (paths.length === 0) {
      lines.push({ step, outcome: 'unchanged', detail: 'as in cht-config' });
      continue;
    }
    differing.push(name);
    lines.push({
      step,
      outcome: 'problem',
      detail: `differs from cht-config at ${paths.slice(0, 5).join(', ')}`,
    });
  }
  if (options.check || !options.install) {
    const hint = options.check ? '' : '; run the configurator with --install-cht-outbound to put them in';
    return lines.map((line) =>
      line.outcome === 'missing' || line.outcome === 'problem'
        ? { ...line, outcome: 'problem', detail: `${line.detail}${hint}` }
        : line,
    );
  }
  if (missing.length + differing.length === 0) return lines;
  // Only `outbound` is written; its other entries are kept as they are.
  const outbound = { ...current };
  for (const name of [...missing, ...differing]) outbound[name] = wanted[name];
  await cht.putSettings({ outbound }, true);
  return lines.map((line) => {
    const name = line.step.slice('outbound "'.length, -1);
    if (missing.includes(name)) return { ...line, outcome: 'created', detail: 'installed from cht-config' };
    if (differing.includes(name))
      return { ...line, outcome: 'updated', detail: `replaced by cht-config's (it ${line.detail})` };
    return line;
  });
}
