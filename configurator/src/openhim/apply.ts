// Brings OpenHIM to the desired client and channels, idempotently: what exists and matches is left
// alone, what differs is updated, what is missing is created. With `check`, nothing is changed.
// A polling channel is always re-saved when it exists: core schedules polling jobs on create and update
// through /channels, but not for channels installed from a mediator's defaults (openhim.md §3.5).
import { isDeepStrictEqual } from 'node:util';
import type { ChannelConfig, RouteConfig } from '@cht-openmrs/common';
import type { StepLine } from '../openmrs/identifier-types';
import { clientPasswordHash, type OpenhimClient } from './desired';
import type { OpenhimApi, StoredChannel } from './openhim-api';

const ROUTE_FIELDS: (keyof RouteConfig)[] = [
  'name',
  'host',
  'port',
  'path',
  'pathTransform',
  'primary',
  'username',
  'password',
  'secured',
];
const CHANNEL_FIELDS = [
  'urlPattern',
  'type',
  'methods',
  'pollingSchedule',
  'allow',
  'authType',
  'status',
] as const;

function comparable(channel: ChannelConfig): unknown {
  const fields = Object.fromEntries(CHANNEL_FIELDS.map((f) => [f, channel[f] ?? null]));
  const routes = channel.routes.map((route) =>
    Object.fromEntries(
      ROUTE_FIELDS.map((f) => [
        f,
        f === 'port' ? Number(route[f]) : (route[f] ?? (f === 'secured' || f === 'primary' ? false : '')),
      ]),
    ),
  );
  return { ...fields, methods: [...(channel.methods ?? [])].sort(), routes };
}

export async function applyChannels(
  api: OpenhimApi,
  desired: ChannelConfig[],
  check: boolean,
): Promise<StepLine[]> {
  const existing = await api.channels();
  const lines: StepLine[] = [];
  for (const channel of desired) {
    const step = `channel "${channel.name}"`;
    const stored: StoredChannel | undefined = existing.find((c) => c.name === channel.name);
    const same =
      stored && stored.status !== 'deleted' && isDeepStrictEqual(comparable(stored), comparable(channel));
    // A matching polling channel is re-saved (below) so core schedules it; a check leaves it be.
    if (same && (check || channel.type !== 'polling')) {
      lines.push({ step, outcome: 'unchanged', detail: channel.urlPattern });
    } else if (check) {
      lines.push({
        step,
        outcome: 'missing',
        detail: stored ? 'differs from the settings; would be updated' : 'would be created',
      });
    } else if (stored) {
      await api.updateChannel(stored._id, channel);
      lines.push({
        step,
        outcome: same ? 'unchanged' : 'updated',
        detail: same ? 're-saved so that it is scheduled' : channel.urlPattern,
      });
    } else {
      await api.createChannel(channel);
      lines.push({ step, outcome: 'created', detail: channel.urlPattern });
    }
  }
  return lines;
}

export async function applyClient(
  api: OpenhimApi,
  desired: OpenhimClient,
  password: string,
  check: boolean,
): Promise<StepLine> {
  const step = `client "${desired.clientID}"`;
  const stored = (await api.clients()).find((c) => c.clientID === desired.clientID);
  const current =
    stored &&
    stored.passwordAlgorithm === 'sha512' &&
    stored.passwordHash === clientPasswordHash(password, stored.passwordSalt ?? '') &&
    desired.roles.every((role) => stored.roles?.includes(role));
  if (current) return { step, outcome: 'unchanged', detail: `roles ${stored.roles.join(', ')}` };
  if (check)
    return {
      step,
      outcome: 'missing',
      detail: stored ? 'password or roles differ; would be updated' : 'would be created',
    };
  if (stored) {
    await api.updateClient(stored._id, {
      ...desired,
      roles: [...new Set([...(stored.roles ?? []), ...desired.roles])],
    });
    return { step, outcome: 'updated', detail: 'password and roles set' };
  }
  await api.createClient(desired);
  return { step, outcome: 'created', detail: `roles ${desired.roles.join(', ')}` };
}
