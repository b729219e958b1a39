// The operator console's routes: gather the data, hand it to a pure view, answer HTML (or JSON for
// /lineage/:id). Same credentials as the rest of the mediator (Basic, checked before these routes).
import express, { Router, type RequestHandler } from 'express';
import type { Patient } from 'fhir/r4';
import { HttpError, identifierOf, type PeerChecks } from '@cht-openmrs/common';
import type { SyncRunner } from '../sync-runner';

/** What the console needs of the runner: to run (through the shared schedule), its state and mapping file. */
type ConsoleRunner = Pick<SyncRunner, 'run' | 'mapping' | 'context' | 'states'>;
import type { SyncReport } from '../sync/run-sync';
import { unplacedPatients } from '../sync/streams/patients-from-openmrs';
import { failureRows, matching, nameOf } from './failure-rows';
import { failuresPage, type UnplacedRow } from './failures-view';
import { LineageReader } from './lineage';
import { lineagePage } from './lineage-view';
import type { OpenhimApi } from './openhim-api';
import { overviewPage, type OverviewData, type RunSummary } from './overview-view';
import { estimate, type RunProgress } from './run-progress';

/** Which peer holds each stream's changes, to count what a running stream has left. */
const SOURCES: Record<string, ['fhir' | 'openmrs', 'Patient' | 'Encounter' | 'Observation']> = {
  'patients-to-openmrs': ['fhir', 'Patient'],
  'encounters-to-openmrs': ['fhir', 'Encounter'],
  'patients-from-openmrs': ['openmrs', 'Patient'],
  'visits-from-openmrs': ['openmrs', 'Encounter'],
  'observations-from-openmrs': ['openmrs', 'Observation'],
};

/**
 * A form posted from another site would carry the browser's Basic credentials: state-changing requests
 * must come from the console's own pages.
 */
const sameOrigin: RequestHandler = (req, _res, next) => {
  const refuse = () => {
    throw new HttpError(403, 'console actions are only accepted from the console itself');
  };
  // Browsers say where a request comes from; behind a reverse proxy the Host may be the upstream's name.
  const site = req.header('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none' ? next() : refuse();
  const origin = req.header('origin');
  if (origin && origin !== 'null') {
    let from: string;
    try {
      from = new URL(origin).host;
    } catch {
      return refuse();
    }
    if (![req.header('host'), req.header('x-forwarded-host')].includes(from)) return refuse();
  }
  next();
};

/** The polling channel the configurator creates for the sync (configurator/src/openhim/desired.ts). */
const SYNC_CHANNEL = 'OpenMRS sync';

function runNotice(report: SyncReport): string {
  if (report.outcome === 'skipped') return `another sync is running (${report.reason ?? ''}); it takes them`;
  const counts = Object.values(report.streams);
  const sum = (key: 'created' | 'updated' | 'failed' | 'waiting') => counts.reduce((n, c) => n + c[key], 0);
  return `the sync ran: ${sum('created')} created, ${sum('updated')} updated, ${sum('waiting')} waiting, ${sum('failed')} failed`;
}

function addressOf(patient: Patient): string | undefined {
  const a = patient.address?.[0];
  if (!a) return undefined;
  const parts = [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.country].filter(Boolean);
  const extensions = (a.extension ?? [])
    .flatMap((e) => e.extension ?? [e])
    .map((e) => `${e.url.split('#').pop() ?? e.url}: ${e.valueString ?? ''}`)
    .filter((t) => /address\d/.test(t));
  return [...parts, ...extensions].join(', ') || undefined;
}

export function consoleRoutes(
  runner: ConsoleRunner,
  progress: RunProgress,
  openhim: OpenhimApi,
  peers?: PeerChecks,
): Router {
  const { context, states } = runner;
  const router = Router();
  const lineage = new LineageReader(context, states, openhim);
  const form = express.urlencoded({ extended: false, limit: '100kb' });

  /**
   * One sync now: through OpenHIM's polling channel when OpenHIM is configured, so the run is a transaction
   * in its log like every other; else (or when that fails) here. Returns what happened, for a notice.
   */
  const runNow = async (): Promise<string> => {
    try {
      if (await openhim.triggerChannel(SYNC_CHANNEL)) {
        const last = (await states.read())?.lastRun as SyncReport | undefined;
        return last ? `${runNotice(last)} (through OpenHIM)` : 'the sync ran through OpenHIM';
      }
    } catch (error) {
      context.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        `running the sync through OpenHIM's "${SYNC_CHANNEL}" channel failed; running it here`,
      );
    }
    return runNotice(await runner.run({ trigger: 'console' }));
  };

  const remaining = async (stream: string, since: string): Promise<number | undefined> => {
    const source = SOURCES[stream];
    if (!source) return undefined;
    const client = source[0] === 'fhir' ? context.fhir : context.openmrs.fhir;
    try {
      const bundle = await client.search(source[1], { _lastUpdated: `ge${since}`, _summary: 'count' });
      return bundle.total;
    } catch {
      return undefined;
    }
  };

  router.get('/console', async (_req, res) => {
    const snapshot = progress.snapshot();
    const [state, queue, unplaced, peerStatuses, left] = await Promise.all([
      states.read(),
      context.queue.counts(),
      unplacedPatients(context),
      peers?.current(),
      snapshot.current ? remaining(snapshot.current.stream, snapshot.current.since) : undefined,
    ]);
    const data: OverviewData = {
      peers: peerStatuses ?? [],
      runs: (state?.history ?? (state?.lastRun ? [state.lastRun] : [])) as RunSummary[],
      lease: state?.lease ?? null,
      cursors: Object.fromEntries(Object.entries(state?.cursors ?? {}).map(([s, c]) => [s, c.since])),
      queue,
      unplaced: unplaced.length,
      mapping: {
        file: runner.mapping?.file ?? '(given at start)',
        loadedAt: runner.mapping?.loadedAt ?? '',
        ...(runner.mapping?.problem ? { problem: runner.mapping.problem } : {}),
      },
      ...(snapshot.current
        ? {
            progress: {
              stream: snapshot.current.stream,
              estimate: estimate(snapshot.current, left, Date.now()),
              ...(snapshot.startedAt ? { startedAt: snapshot.startedAt } : {}),
            },
          }
        : {}),
    };
    res.type('html').send(overviewPage(data));
  });

  router.post('/console/sync', sameOrigin, async (_req, res) => {
    await runNow();
    res.redirect(303, '/console');
  });

  router.get('/console/failures', async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    const notice = typeof req.query.notice === 'string' ? req.query.notice : undefined;
    const [{ rows, total }, unplaced] = await Promise.all([failureRows(context), unplacedPatients(context)]);
    const unplacedRows: UnplacedRow[] = unplaced.map((p) => {
      const row: UnplacedRow = { fhirId: p.id as string };
      const name = nameOf(p);
      const uuid = identifierOf(p, 'openmrsUuid');
      const reason = p.meta?.tag?.find((t) => t.code === 'unplaced')?.display;
      const address = addressOf(p);
      if (name) row.name = name;
      if (uuid) row.openmrsUuid = uuid;
      if (reason) row.reason = reason;
      if (address) row.address = address;
      return row;
    });
    res.type('html').send(
      failuresPage({
        rows: matching(rows, query),
        total,
        listed: rows.length,
        query,
        unplaced: unplacedRows,
        ...(notice ? { notice } : {}),
      }),
    );
  });

  router.post('/console/failures/replay', sameOrigin, form, async (req, res) => {
    const body = req.body as { ids?: string | string[] };
    const ids = [...new Set([body.ids ?? []].flat())].filter((id) => /^[A-Za-z0-9\-.]{1,64}$/.test(id));
    let replayed = 0;
    for (const id of ids) {
      await context.queue.replay(id);
      replayed += 1;
    }
    const ran = replayed > 0 ? await runNow() : undefined;
    const notice = `Replayed ${replayed} item${replayed === 1 ? '' : 's'}${ran ? `; ${ran}` : ''}.`;
    res.redirect(303, `/console/failures?notice=${encodeURIComponent(notice)}`);
  });

  router.get('/console/lineage', async (req, res) => {
    const id = typeof req.query.id === 'string' ? req.query.id : '';
    res.type('html').send(lineagePage(id ? await lineage.trace(id) : undefined));
  });

  router.get('/lineage/:id', async (req, res) => {
    res.json(await lineage.trace(req.params.id));
  });

  return router;
}
