// The overview page (pure): peers, the run in progress, the last runs with counts per stream, the queue,
// cursors and the mapping file.
import type { PeerStatus } from '@cht-openmrs/common';
import { html, type Html } from './html';
import { page, when } from './layout';
import type { Estimate } from './run-progress';

export const STREAMS = [
  'patients-to-openmrs',
  'encounters-to-openmrs',
  'patients-from-openmrs',
  'visits-from-openmrs',
  'observations-from-openmrs',
];

export interface RunSummary {
  startedAt?: string;
  durationMs?: number;
  outcome?: string;
  reason?: string;
  complete?: boolean;
  unplaced?: number;
  transactionId?: string;
  trigger?: string;
  streams?: Record<string, Record<string, unknown>>;
}

export interface OverviewData {
  peers: PeerStatus[];
  runs: RunSummary[];
  progress?: { startedAt?: string; stream: string; estimate: Estimate };
  lease?: { owner: string; expires: string } | null;
  cursors: Record<string, string>;
  queue: { queued: number; waiting: number; parked: number };
  unplaced: number;
  mapping: { file: string; loadedAt: string; problem?: string };
}

const COUNT_NAMES = ['created', 'updated', 'skipped', 'waiting', 'failed', 'retried', 'unrecorded'];

function streamCell(counts: Record<string, unknown> | undefined): Html {
  if (!counts) return html`<td class="muted">—</td>`;
  const parts = COUNT_NAMES.filter((k) => typeof counts[k] === 'number' && counts[k] !== 0).map(
    (k) => `${String(counts[k])} ${k}`,
  );
  const error = typeof counts.error === 'string' ? counts.error : undefined;
  return html`<td>
    ${parts.length ? parts.join(', ') : html`<span class="muted">nothing to do</span>`}${
      error ? html`<div class="bad">${error}</div>` : ''
    }
  </td>`;
}

function outcomeOf(run: RunSummary): Html {
  if (run.outcome === 'skipped') return html`<span class="muted">skipped: ${run.reason ?? ''}</span>`;
  const failed = Object.values(run.streams ?? {}).some((c) => Number(c.failed ?? 0) > 0);
  if (run.complete && !failed) return html`<span class="ok">complete</span>`;
  return html`<span class="bad">${run.complete ? 'complete, with failures' : 'incomplete'}</span>`;
}

function peersSection(peers: PeerStatus[]): Html {
  return html`<h2>Peers</h2>
    <table aria-label="Peers">
      <thead>
        <tr>
          <th scope="col">peer</th>
          <th scope="col">address</th>
          <th scope="col">state</th>
          <th scope="col">checked</th>
        </tr>
      </thead>
      <tbody>
        ${peers.map(
          (p) =>
            html`<tr>
              <td>${p.peer}</td>
              <td><code>${p.url}</code></td>
              <td>
                ${p.ok ? html`<span class="ok">reachable, login accepted</span>` : html`<span class="bad">${p.problem ?? 'not reachable'}</span>`}
              </td>
              <td>${when(p.checkedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function progressSection(data: OverviewData): Html {
  if (!data.progress) {
    const lease = data.lease && Date.parse(data.lease.expires) > Date.now() ? data.lease : undefined;
    return html`<p id="progress">
      ${
        lease
          ? `A sync run (${lease.owner}, another instance) holds the lease until ${when(lease.expires)}.`
          : 'No sync is running now.'
      }
    </p>`;
  }
  const { stream, estimate, startedAt } = data.progress;
  return html`<div class="card" id="progress" role="status">
    <strong>Sync running</strong> since ${when(startedAt)}: stream <code>${stream}</code>, ${estimate.done}
    done${estimate.remaining !== undefined ? `, ${estimate.remaining} remaining` : ''}${
      estimate.rate !== undefined ? `, ${estimate.rate.toFixed(1)} per second` : ''
    }${estimate.estimatedEnd ? `, estimated end ${when(estimate.estimatedEnd)}` : ''}.
  </div>`;
}

function runsSection(runs: RunSummary[]): Html {
  if (runs.length === 0)
    return html`<h2>Last runs</h2>
      <p>No sync has run yet.</p>`;
  return html`<h2>Last runs</h2>
    <table aria-label="Last runs" id="runs">
      <thead>
        <tr>
          <th scope="col">started</th>
          <th scope="col">took</th>
          <th scope="col">outcome</th>
          ${STREAMS.map((s) => html`<th scope="col">${s}</th>`)}
          <th scope="col">unplaced</th>
          <th scope="col">OpenHIM transaction</th>
        </tr>
      </thead>
      <tbody>
        ${runs.map(
          (run) =>
            html`<tr>
              <td>${when(run.startedAt)}</td>
              <td class="num">
                ${run.durationMs !== undefined ? `${(run.durationMs / 1000).toFixed(1)} s` : '—'}
              </td>
              <td>${outcomeOf(run)}</td>
              ${STREAMS.map((s) => streamCell(run.streams?.[s]))}
              <td class="num">${run.unplaced ?? 0}</td>
              <td>
                ${run.transactionId ? html`<a class="id" href="/console/lineage?id=${encodeURIComponent(run.transactionId)}">${run.transactionId}</a>` : html`<span class="muted">${run.trigger ?? 'direct call'}</span>`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function overviewPage(data: OverviewData): string {
  const { queue } = data;
  return page(
    'Overview',
    'overview',
    html`${data.mapping.problem ? html`<div class="warning" role="alert">The mapping file <code>${data.mapping.file}</code> has problems; the sync keeps the last good mapping (loaded ${when(data.mapping.loadedAt)}): ${data.mapping.problem}</div>` : ''}
      ${peersSection(data.peers)}
      <h2>Now</h2>
      ${progressSection(data)}
      <div class="cards">
        <div class="card">
          <a href="/console/failures">Retry queue</a>: <span id="queued">${queue.queued}</span> queued,
          <span id="waiting">${queue.waiting}</span> waiting, <span id="parked">${queue.parked}</span> parked
        </div>
        <div class="card"><a href="/console/failures#unplaced">Unplaced patients</a>: ${data.unplaced}</div>
        <div class="card">
          Mapping <code>${data.mapping.file}</code>, loaded ${when(data.mapping.loadedAt)}
        </div>
      </div>
      <form method="post" action="/console/sync" class="inline">
        <p><button type="submit">Run the sync now</button></p>
      </form>
      ${runsSection(data.runs)}
      <h2>Cursors</h2>
      <table aria-label="Cursors">
        <thead>
          <tr>
            <th scope="col">stream</th>
            <th scope="col">everything changed before this is handled</th>
          </tr>
        </thead>
        <tbody>
          ${Object.entries(data.cursors).map(
            ([s, since]) =>
              html`<tr>
                <td>${s}</td>
                <td>${when(since)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
    data.progress ? 5 : undefined,
  );
}
