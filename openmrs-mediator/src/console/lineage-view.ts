// The lineage page (pure): a search box, then each record found with its path across the systems.
import { html, type Html } from './html';
import { page, when } from './layout';
import type { Lineage } from './lineage';
import type { LineageRecord, LineageStep, TransactionRef } from './lineage-records';

function transactions(refs: TransactionRef[] | undefined): Html {
  if (!refs || refs.length === 0) return html``;
  return html`<div>
    OpenHIM:
    ${refs.map(
      (t, i) =>
        html`${i > 0 ? ', ' : ''}${t.id ? html`<a class="id" href="/console/lineage?id=${encodeURIComponent(t.id)}">${t.id}</a>${t.status ? ` (${t.status}${t.time ? `, ${when(t.time)}` : ''})` : ''}` : html`<span class="muted">${t.note ?? ''}</span>`}`,
    )}
  </div>`;
}

function step(s: LineageStep): Html {
  return html`<li data-system="${s.system}">
    <span class="system">${s.system}</span> ${s.what}
    <span class="id">${s.id}</span>${s.version ? ` version ${s.version}` : ''}
    <div>${when(s.time)} · <strong>${s.status}</strong></div>
    ${s.detail ? html`<div class="muted">${s.detail}</div>` : ''} ${transactions(s.transactions)}
  </li>`;
}

function record(r: LineageRecord): Html {
  return html`<section aria-label="${r.title}">
    <h2>${r.title} <span class="muted">(from ${r.origin})</span></h2>
    <ol class="path">
      ${r.steps.map(step)}
    </ol>
    ${r.related.length ? html`<p>See also: ${r.related.map((x, i) => html`${i > 0 ? ' · ' : ''}<a href="/console/lineage?id=${encodeURIComponent(x.id)}">${x.label}</a>`)}</p>` : ''}
  </section>`;
}

/** A sync run's work per stream, for a sync transaction's id. */
function runCounts(run: Record<string, unknown>): Html {
  const streams = Object.entries((run.streams ?? {}) as Record<string, Record<string, unknown>>);
  const line = ([stream, counts]: [string, Record<string, unknown>]) => {
    const parts = Object.entries(counts)
      .filter(([, v]) => typeof v === 'number' && v > 0)
      .map(([k, v]) => `${String(v)} ${k}`);
    return html`<li>${stream}: ${parts.length ? parts.join(', ') : 'nothing to do'}</li>`;
  };
  return html`<p>
      It ran the sync (started ${when(String(run.startedAt))}); one run handles many records, each listed as
      an orchestration in OpenHIM:
    </p>
    <ul id="run">
      ${streams.map(line)}
    </ul>`;
}

export function lineagePage(lineage: Lineage | undefined): string {
  const query = lineage?.query ?? '';
  return page(
    'Lineage',
    'lineage',
    html`<form method="get" action="/console/lineage" role="search">
        <label for="id"
          >Any id: CHT document id or shortcode, OpenMRS uuid, FHIR id, OpenHIM transaction id; or a
          name</label
        >
        <input type="search" id="id" name="id" value="${query}" />
        <button type="submit">Trace</button>
      </form>
      ${lineage?.transaction ? html`<p>OpenHIM transaction <code>${lineage.transaction.id}</code>: ${lineage.transaction.method ?? ''} ${lineage.transaction.path ?? ''}, ${lineage.transaction.status ?? ''}, ${when(lineage.transaction.time)}</p>` : ''}
      ${lineage?.run ? runCounts(lineage.run) : ''}
      ${lineage?.byName ? html`<p id="by-name">No id matched "${query}"; these patients' names do:</p>` : ''}
      ${lineage && query ? (lineage.records.length ? lineage.records.map(record) : html`<p id="nothing">Nothing on the FHIR server carries the id "${query}".</p>`) : ''}
      ${query ? html`<p><a href="/lineage/${encodeURIComponent(query)}">The same as JSON</a></p>` : ''}`,
  );
}
