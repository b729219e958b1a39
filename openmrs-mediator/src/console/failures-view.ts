// The failures page (pure): the retry queue's open items with the person, ids, form, step, error and fix;
// replay of one, a selection, or every item failing the same way; then the unplaced patients.
import { html, type Html } from './html';
import { page, when } from './layout';
import type { FailureRow, PersonRef } from './failure-rows';

export interface UnplacedRow {
  fhirId: string;
  name?: string;
  openmrsUuid?: string;
  reason?: string;
  address?: string;
}

export interface FailuresData {
  rows: FailureRow[];
  /** Open items in the queue. */
  total: number;
  /** Of which looked up and listed (at most MAX_ROWS). */
  listed?: number;
  query: string;
  unplaced: UnplacedRow[];
  notice?: string;
}

function lineageLink(id: string | undefined): Html | string {
  return id ? html`<a class="id" href="/console/lineage?id=${encodeURIComponent(id)}">${id}</a>` : '—';
}

function personCell(person: PersonRef | undefined): Html {
  if (!person) return html`<td class="muted">unknown</td>`;
  return html`<td>
    <strong>${person.name ?? '(no name)'}</strong>
    <div>CHT document: ${lineageLink(person.chtDocumentId)}</div>
    ${person.chtPatientId ? html`<div>shortcode: <span class="id">${person.chtPatientId}</span></div>` : ''}
    <div>OpenMRS: ${lineageLink(person.openmrsUuid)}</div>
  </td>`;
}

function row(r: FailureRow): Html {
  const label = `select ${r.person?.name ?? r.focus}`;
  return html`<tr data-task="${r.id}">
    <td><input type="checkbox" name="ids" value="${r.id}" aria-label="${label}" form="replay-selected" /></td>
    ${personCell(r.person)}
    <td>
      ${
        r.report
          ? html`${r.report.form ? html`<div>form <strong>${r.report.form}</strong></div>` : ''}
              <div>CHT report: ${lineageLink(r.report.chtDocumentId)}</div>
              ${r.report.openmrsUuid ? html`<div>OpenMRS: ${lineageLink(r.report.openmrsUuid)}</div>` : ''}`
          : html`<span class="id">${r.focus}</span>`
      }
    </td>
    <td>${r.step}</td>
    <td>
      <span class="${r.state === 'parked' ? 'bad' : ''}">${r.state}</span>
      <div class="muted">${r.attempts} attempts; next ${when(r.nextAttempt)}</div>
    </td>
    <td>
      <div class="error">${r.error}</div>
      <div><strong>Fix:</strong> ${r.fix}</div>
    </td>
    <td>
      <form method="post" action="/console/failures/replay" class="inline">
        <input type="hidden" name="ids" value="${r.id}" /><button
          type="submit"
          aria-label="Replay ${r.person?.name ?? r.focus}"
        >
          Replay
        </button>
      </form>
    </td>
  </tr>`;
}

function groups(rows: FailureRow[]): Html {
  const byKind = new Map<string, FailureRow[]>();
  for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  if (byKind.size === 0) return html``;
  return html`<h2>By error</h2>
    <table aria-label="Failures by error">
      <thead>
        <tr>
          <th scope="col">items</th>
          <th scope="col">error (ids left out)</th>
          <th scope="col"></th>
        </tr>
      </thead>
      <tbody>
        ${[...byKind.entries()].map(
          ([kind, items]) =>
            html`<tr>
              <td class="num">${items.length}</td>
              <td class="error">${kind}</td>
              <td>
                <form method="post" action="/console/failures/replay" class="inline">
                  ${items.map((i) => html`<input type="hidden" name="ids" value="${i.id}" />`)}<button
                    type="submit"
                  >
                    Replay all ${items.length} with this error
                  </button>
                </form>
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function unplacedSection(unplaced: UnplacedRow[]): Html {
  return html`<h2 id="unplaced">Unplaced patients</h2>
    ${
      unplaced.length === 0
        ? html`<p>None: every OpenMRS patient found its CHT place.</p>`
        : html`<table aria-label="Unplaced patients">
              <thead>
                <tr>
                  <th scope="col">patient</th>
                  <th scope="col">OpenMRS uuid</th>
                  <th scope="col">address tried</th>
                  <th scope="col">reason</th>
                </tr>
              </thead>
              <tbody>
                ${unplaced.map(
                  (u) =>
                    html`<tr>
                      <td>${u.name ?? '(no name)'}</td>
                      <td>${lineageLink(u.openmrsUuid)}</td>
                      <td>${u.address ?? '—'}</td>
                      <td>${u.reason ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <p class="muted">
              Fix the address in OpenMRS or the place name in CHT: each run tries these patients again.
            </p>`
    }`;
}

export function failuresPage(data: FailuresData): string {
  const { rows } = data;
  return page(
    'Failures',
    'failures',
    html`${data.notice ? html`<div class="notice" role="status" id="notice">${data.notice}</div>` : ''}
      <form method="get" action="/console/failures" role="search">
        <label for="q">Find by name, id, form or error</label>
        <input type="search" id="q" name="q" value="${data.query}" />
        <button type="submit">Find</button>
      </form>
      <p id="count">
        ${rows.length} of ${data.total} open items${data.query ? ` match "${data.query}"` : ''}.
        ${
          data.listed !== undefined && data.listed < data.total
            ? `Only the first ${data.listed} are looked up and listed; replay or fix them to see the rest.`
            : ''
        }
      </p>
      ${groups(rows)}
      <h2>Items</h2>
      <form method="post" action="/console/failures/replay" id="replay-selected">
        <p><button type="submit">Replay selected</button></p>
      </form>
      <table aria-label="Failed items" id="failures">
        <thead>
          <tr>
            <th scope="col"><input type="checkbox" data-select-all aria-label="select all" /></th>
            <th scope="col">person</th>
            <th scope="col">record</th>
            <th scope="col">step</th>
            <th scope="col">state</th>
            <th scope="col">error and fix</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          ${
            rows.length
              ? rows.map(row)
              : html`<tr>
                  <td colspan="7">Nothing is waiting or failed.</td>
                </tr>`
          }
        </tbody>
      </table>
      <p class="muted">
        Replay makes the items due now and runs the sync; queued items are also retried on their own with
        backoff.
      </p>
      ${unplacedSection(data.unplaced)}`,
  );
}
