// Test set-up shared by the CHT stand-in's integration tests: a stand-in with the fixture's settings
// (outbound replaced as the test needs) and a loopback receiver, both closed after each test.
import { readFileSync } from 'node:fs';
import {
  type AppSettings,
  type ChtSandbox,
  FIXTURE_APP_SETTINGS,
  type OutboundConfig,
  startChtSandbox,
} from '../index';
import type { ChtSandboxOptions } from '../index';
import { call, type CallOptions } from './client';
import { type Receiver, startReceiver } from './receiver';

export interface Harness {
  cht: ChtSandbox;
  rx: Receiver;
  call(method: string, path: string, options?: CallOptions): ReturnType<typeof call>;
  /** PUTs a doc into medic and runs Sentinel over it. */
  save(doc: Record<string, unknown>): Promise<{ id: string; rev: string }>;
  get(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export function fixtureSettings(): AppSettings {
  return JSON.parse(readFileSync(FIXTURE_APP_SETTINGS, 'utf8')) as AppSettings;
}

/** An outbound config posting to the receiver, with no auth unless given. */
export function outboundTo(
  rx: Receiver,
  path: string,
  mapping: OutboundConfig['mapping'],
  extra: Partial<OutboundConfig> = {},
): OutboundConfig {
  return {
    relevant_to: "doc.type === 'data_record'",
    destination: { base_url: rx.url, path },
    mapping,
    ...extra,
  };
}

export async function startHarness(
  outbound: (rx: Receiver) => Record<string, OutboundConfig>,
  options: ChtSandboxOptions = {},
): Promise<Harness> {
  const rx = await startReceiver();
  const settings = { ...fixtureSettings(), outbound: outbound(rx) };
  const cht = await startChtSandbox({ appSettings: settings, ...options });
  const harness: Harness = {
    cht,
    rx,
    call: (method, path, callOptions) => call(cht.url, method, path, callOptions),
    async save(doc) {
      const id = typeof doc._id === 'string' ? doc._id : `doc-${Math.random().toString(16).slice(2)}`;
      const answer = await call(cht.url, 'PUT', `/medic/${encodeURIComponent(id)}`, {
        body: { ...doc, _id: id },
      });
      if (answer.status !== 201) throw new Error(`PUT ${id} failed: ${answer.status} ${answer.text}`);
      await cht.sentinelPass();
      return answer.json as { id: string; rev: string };
    },
    async get(id) {
      return (await call(cht.url, 'GET', `/medic/${encodeURIComponent(id)}`)).json as Record<string, unknown>;
    },
    async close() {
      await cht.close();
      await rx.close();
    },
  };
  return harness;
}
