// What the sync benchmarks share: the OpenMRS stand-in (its identifier types set up) and the OpenMRS
// mediator, each in a process of its own as in production, and the CHT stand-in, around a FHIR server.
import { join } from 'node:path';
import axios from 'axios';
import { startChtSandbox } from '@cht-openmrs/sandbox';
import { benchMapping } from './bench-mapping';
import { startChild } from './child-process';

export const AUTH = { username: 'bench', password: 'bench-password' };
const ADMIN = { username: 'admin', password: 'Admin123' };

/** With BENCH_CPU_PROFILE=dir, each helper process writes its CPU profile there when it stops. */
const profiling = process.env.BENCH_CPU_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
  : [];

export async function startSyncPeers(fhirUrl: string, concurrency: number) {
  const openmrs = await startChild<{ url: string; restUrl: string }>(
    join(__dirname, 'openmrs-sandbox-process.ts'),
    process.env,
    profiling,
  );
  for (const name of ['CHT Document ID', 'CHT Patient ID'])
    await axios.post(
      `${openmrs.first.restUrl}/patientidentifiertype`,
      { name, description: name, locationBehavior: 'NOT_USED', uniquenessBehavior: 'UNIQUE' },
      { auth: ADMIN },
    );
  const cht = await startChtSandbox();
  const openmrsUrl = new URL(openmrs.first.url);
  const mediator = await startChild<{ port: number }>(
    join(__dirname, 'openmrs-mediator-process.ts'),
    {
      ...process.env,
      OPENMRS_MEDIATOR_USERNAME: AUTH.username,
      OPENMRS_MEDIATOR_PASSWORD: AUTH.password,
      OPENMRS_MEDIATOR_MAPPING: benchMapping(),
      OPENMRS_HOST: openmrsUrl.hostname,
      OPENMRS_PORT: openmrsUrl.port,
      OPENMRS_USERNAME: ADMIN.username,
      OPENMRS_PASSWORD: ADMIN.password,
      CHT_URL: cht.url,
      CHT_USERNAME: 'medic',
      CHT_PASSWORD: 'password',
      FHIR_URL: fhirUrl,
      SYNC_CONCURRENCY: String(concurrency),
      LOG_LEVEL: 'silent',
    },
    profiling,
  );
  return {
    mediatorUrl: `http://127.0.0.1:${mediator.first.port}`,
    mediatorPid: mediator.process.pid ?? 0,
    openmrsPid: openmrs.process.pid ?? 0,
    setLatency: (ms: number) => openmrs.ask({ op: 'latency', ms }),
    resetCounters: () => openmrs.ask({ op: 'resetCounters' }),
    openmrsCounts: () => openmrs.ask<{ total: number; byRoute: Record<string, number> }>({ op: 'counts' }),
    async close() {
      mediator.stop();
      openmrs.stop();
      await cht.close();
    },
  };
}
