// OpenHIM core creates root@openhim.org with the password "openhim-password" on first start and has no
// setting for another one. When OPENHIM_PASSWORD is refused and root still has core's password, the
// configurator sets OPENHIM_PASSWORD (PUT /users/:email, as the console does), so changing the
// password in .env is all an operator needs to do.
import { checkPeer, openhimTarget, type PeerStatus } from '@cht-openmrs/common';
import type { StepLine } from '../openmrs/identifier-types';
import type { ConfiguratorSettings } from '../settings';
import { OpenhimApi } from './openhim-api';

export const CORE_ROOT_EMAIL = 'root@openhim.org';
export const CORE_ROOT_PASSWORD = 'openhim-password';

/** The step line, and the password to use from here on; throws the refusal when nothing helps. */
export async function settleRootPassword(
  settings: ConfiguratorSettings,
  refused: PeerStatus,
  check: boolean,
): Promise<{ line: StepLine; password: string }> {
  const isRoot = settings.OPENHIM_USERNAME.toLowerCase() === CORE_ROOT_EMAIL;
  const withCoreDefault = { ...settings, OPENHIM_PASSWORD: CORE_ROOT_PASSWORD };
  if (
    !isRoot ||
    settings.OPENHIM_PASSWORD === CORE_ROOT_PASSWORD ||
    !(await checkPeer(openhimTarget(withCoreDefault))).ok
  )
    throw new Error(refused.problem);
  const step = `user "${CORE_ROOT_EMAIL}" password`;
  if (check)
    return {
      line: { step, outcome: 'missing', detail: "still OpenHIM's default; would be set to OPENHIM_PASSWORD" },
      password: CORE_ROOT_PASSWORD,
    };
  const api = new OpenhimApi(
    settings.OPENHIM_API_URL,
    CORE_ROOT_EMAIL,
    CORE_ROOT_PASSWORD,
    settings.OPENHIM_TRUST_SELF_SIGNED,
  );
  await api.http.put(`/users/${encodeURIComponent(CORE_ROOT_EMAIL)}`, {
    email: CORE_ROOT_EMAIL,
    password: settings.OPENHIM_PASSWORD,
  });
  return {
    line: { step, outcome: 'updated', detail: "changed from OpenHIM's default to OPENHIM_PASSWORD" },
    password: settings.OPENHIM_PASSWORD,
  };
}
