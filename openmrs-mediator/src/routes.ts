// Thin handlers for the polling channel and operators.
import { Router } from 'express';
import {
  HttpError,
  sendMediatorResponse,
  TRANSACTION_ID_HEADER,
  type PeerChecks,
  type Properties,
} from '@cht-openmrs/common';
import { OPENMRS_MEDIATOR_URN } from './mediator-config';
import type { SyncMetrics } from './metrics';
import type { SyncContext } from './sync/context';
import type { SyncRunner } from './sync-runner';
import { progressNow } from './sync/progress';
import type { RunProgress } from './console/run-progress';
import type { SyncReport } from './sync/run-sync';
import type { SyncScheduler } from './sync/sync-runner';
import { unplacedPatients } from './sync/streams/patients-from-openmrs';
import type { SyncStateStore } from './sync/sync-state';

function propertiesOf(report: SyncReport): Properties {
  const properties: Properties = {
    outcome: report.outcome,
    complete: report.complete,
    unplaced: report.unplaced,
    ms: report.durationMs,
  };
  for (const [stream, counts] of Object.entries(report.streams)) {
    for (const [key, value] of Object.entries(counts)) {
      if (value !== 0 && value !== false) properties[`${stream}.${key}`] = value as string | number | boolean;
    }
  }
  return properties;
}

export function syncRoutes(
  context: SyncContext,
  states: SyncStateStore,
  metrics: SyncMetrics,
  runner: SyncRunner,
  scheduler: SyncScheduler,
  peers?: PeerChecks,
  live?: RunProgress,
): Router {
  const router = Router();

  router.all('/sync', async (_req, res) => {
    if (!['GET', 'POST'].includes(_req.method))
      throw new HttpError(405, `${_req.method} /sync is not allowed; use GET or POST`);
    const transactionId = _req.header(TRANSACTION_ID_HEADER) || undefined;
    const trigger = transactionId ? 'OpenHIM' : 'direct call';
    const report = await scheduler.runNow(() => runner.run({ transactionId, trigger }));
    const failedItems = Object.values(report.streams).some((c) => c.failed > 0);
    const status =
      report.outcome === 'skipped'
        ? 'Completed'
        : report.complete && !failedItems
          ? 'Successful'
          : 'Completed with error(s)';
    sendMediatorResponse(
      res,
      OPENMRS_MEDIATOR_URN,
      { status: 200, body: report },
      { properties: propertiesOf(report), status },
    );
  });

  // The CHT mediator stored something: a run starts within moments (one follow-up if one is going).
  router.post('/sync/signal', (_req, res) => {
    scheduler.signal();
    sendMediatorResponse(
      res,
      OPENMRS_MEDIATOR_URN,
      { status: 202, body: { accepted: true, ...scheduler.state() } },
      { status: 'Successful' },
    );
  });

  router.get('/status', async (_req, res) => {
    const [state, queue, unplaced, peerStatuses] = await Promise.all([
      states.read(),
      context.queue.counts(),
      unplacedPatients(context),
      peers?.current(),
    ]);
    metrics.queue.set({ state: 'queued' }, queue.queued);
    metrics.queue.set({ state: 'waiting' }, queue.waiting);
    metrics.queue.set({ state: 'parked' }, queue.parked);
    const progress = await progressNow(context, state?.cursors ?? {}, state?.lastRun, live?.snapshot());
    res.json({
      progress: { ...progress, ...scheduler.state() },
      cursors: Object.fromEntries(
        Object.entries(state?.cursors ?? {}).map(([stream, c]) => [stream, c.since]),
      ),
      lease: state?.lease ?? null,
      lastRun: state?.lastRun ?? null,
      queue,
      peers: peerStatuses ?? [],
      unplaced: unplaced.map((p) => ({
        id: p.id,
        name: p.name?.[0]?.text,
        openmrsUuid: p.identifier?.find((i) => i.system?.endsWith('openmrs-uuid'))?.value,
        reason: p.meta?.tag?.find((t) => t.code === 'unplaced')?.display,
      })),
    });
  });

  router.get('/failures', async (_req, res) => {
    const items = await context.queue.list(['failed', 'on-hold', 'requested']);
    res.json(
      items.map(({ task, stream, focus, attempts, nextAttempt, lastError }) => ({
        id: task.id,
        state: task.status === 'failed' ? 'parked' : task.status === 'on-hold' ? 'waiting' : 'queued',
        stream,
        focus,
        attempts,
        nextAttempt,
        lastError,
      })),
    );
  });

  router.post('/failures/:id/retry', async (req, res) => {
    const item = await context.queue.replay(req.params.id);
    res.json({ id: item.task.id, stream: item.stream, focus: item.focus, nextAttempt: item.nextAttempt });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
