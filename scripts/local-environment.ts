// The environment of `npm start` (the local stack of stand-ins): .env.example, then .env, then the
// local stack's own addresses and stand-in credentials, then the process environment. A .env written
// for docker compose (host names such as openmrs, blank URLs, other passwords) so cannot point the local
// stack elsewhere; a variable set in the environment still wins. `overridden` says what .env lost.
type Env = Record<string, string | undefined>;

const SECRET = /PASSWORD|SECRET/;

/** Where the local stack's services are, and the credentials its stand-ins accept. */
export function localStack(env: Env): Record<string, string> {
  const v = (key: string, fallback: string) => env[key] || fallback;
  return {
    FHIR_URL: `http://127.0.0.1:${v('FHIR_STORE_PORT', '8081')}/fhir`,
    FHIR_USERNAME: v('FHIR_STORE_USERNAME', ''),
    FHIR_PASSWORD: v('FHIR_STORE_PASSWORD', ''),
    OPENHIM_API_URL: `http://127.0.0.1:${v('OPENHIM_SANDBOX_API_PORT', '8080')}`,
    OPENHIM_USERNAME: v('OPENHIM_SANDBOX_ROOT_EMAIL', 'root@openhim.org'),
    OPENHIM_PASSWORD: v('OPENHIM_SANDBOX_ROOT_PASSWORD', 'openhim-password'),
    OPENHIM_TRUST_SELF_SIGNED: 'false',
    OPENMRS_PROTOCOL: 'http',
    OPENMRS_HOST: '127.0.0.1',
    OPENMRS_PORT: v('OPENMRS_SANDBOX_PORT', '8090'),
    OPENMRS_CONTEXT_PATH: '/openmrs',
    OPENMRS_USERNAME: v('OPENMRS_SANDBOX_USERNAME', 'admin'),
    OPENMRS_PASSWORD: v('OPENMRS_SANDBOX_PASSWORD', 'Admin123'),
    CHT_URL: `http://127.0.0.1:${v('CHT_SANDBOX_PORT', '5988')}`,
    CHT_USERNAME: v('CHT_SANDBOX_ADMIN_USER', 'medic'),
    CHT_PASSWORD: v('CHT_SANDBOX_ADMIN_PASSWORD', 'password'),
    CHT_MEDIATOR_HOST: '127.0.0.1',
    OPENMRS_MEDIATOR_HOST: '127.0.0.1',
    SYNC_SIGNAL_URL: `http://127.0.0.1:${v('OPENMRS_MEDIATOR_PORT', '6001')}/sync/signal`,
    // cht-config pushes to the compose host openhim-core: locally, to the OpenHIM stand-in's router
    CHT_SANDBOX_OUTBOUND_BASE_URL: `http://127.0.0.1:${v('OPENHIM_SANDBOX_ROUTER_PORT', '5001')}`,
  };
}

export function localEnvironment(
  example: Env,
  dotenv: Env,
  processEnv: Env,
): { env: Env; overridden: string[] } {
  const files = { ...example, ...dotenv };
  const stack = localStack({ ...files, ...processEnv });
  const overridden: string[] = [];
  for (const [key, value] of Object.entries(stack)) {
    const fromDotenv = dotenv[key];
    if (key in processEnv || fromDotenv === undefined || fromDotenv === '' || fromDotenv === value) continue;
    overridden.push(
      SECRET.test(key)
        ? `${key} from .env is not the local stand-in's; the local stack uses the stand-in's`
        : `${key}=${fromDotenv} from .env; the local stack uses ${value || '(none)'}`,
    );
  }
  return { env: { ...files, ...stack, ...processEnv }, overridden };
}
