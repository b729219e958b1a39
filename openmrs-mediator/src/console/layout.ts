// The page shell every console view shares: navigation, the stylesheet and the little script (inline:
// the console works offline and loads nothing from elsewhere).
import { html, trusted, type Html } from './html';

const CSS = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
header { background: #1d3557; color: #fff; padding: .6rem 1.2rem; display: flex; gap: 1.5rem; align-items: center; }
header a { color: #fff; text-decoration: none; padding: .25rem .4rem; border-radius: 3px; }
header a[aria-current="page"] { background: #457b9d; }
header a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid #f4a261; outline-offset: 2px; }
header strong { margin-right: 1rem; }
main { padding: 1rem 1.2rem; max-width: 1400px; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { border: 1px solid #d0d5dc; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #e9edf2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; font-weight: 600; }
.bad { color: #b42318; font-weight: 600; }
.muted { color: #5b6470; }
.notice { background: #e6f4ea; border: 1px solid #1a7f37; padding: .5rem .8rem; margin-bottom: 1rem; }
.warning { background: #fdecea; border: 1px solid #b42318; padding: .5rem .8rem; margin-bottom: 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; }
.card { background: #fff; border: 1px solid #d0d5dc; padding: .6rem .8rem; min-width: 15rem; flex: 1; }
.error { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: .85rem; }
code, .id { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
form.inline { display: inline; }
button { padding: .3rem .7rem; border: 1px solid #1d3557; background: #1d3557; color: #fff; border-radius: 3px; cursor: pointer; }
button.secondary { background: #fff; color: #1d3557; }
input[type="search"], input[type="text"] { padding: .3rem .5rem; min-width: 22rem; border: 1px solid #8a94a3; }
ol.path { list-style: none; padding: 0; }
ol.path li { background: #fff; border: 1px solid #d0d5dc; border-left: 6px solid #457b9d; margin: 0 0 .4rem; padding: .4rem .7rem; }
ol.path li[data-system="CHT"] { border-left-color: #2a9d8f; }
ol.path li[data-system="OpenMRS"] { border-left-color: #e76f51; }
.system { font-weight: 600; min-width: 7rem; display: inline-block; }
`;

// Select-all for the failure list: progressive enhancement, the forms work without it.
const SCRIPT = `
document.querySelectorAll('[data-select-all]').forEach(function (box) {
  box.addEventListener('change', function () {
    document.querySelectorAll('input[name="ids"]').forEach(function (b) { b.checked = box.checked; });
  });
});
`;

export type Section = 'overview' | 'failures' | 'lineage';

const NAV: [Section, string, string][] = [
  ['overview', 'Overview', '/console'],
  ['failures', 'Failures', '/console/failures'],
  ['lineage', 'Lineage', '/console/lineage'],
];

/** A page; `refreshSeconds` reloads it (the overview while a run goes). */
export function page(title: string, section: Section, body: Html, refreshSeconds?: number): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}" />` : ''}
        <title>${title} · CHT ↔ OpenMRS sync</title>
        <style>
          ${trusted(CSS)}
        </style>
      </head>
      <body>
        <header>
          <strong>CHT ↔ OpenMRS sync</strong>
          <nav aria-label="Console">
            ${NAV.map(
              ([key, label, href]) =>
                html`<a href="${href}" ${key === section ? trusted(' aria-current="page"') : ''}
                  >${label}</a
                > `,
            )}
          </nav>
        </header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
        <script>
          ${trusted(SCRIPT)};
        </script>
      </body>
    </html>`.text;
}

/** A time as the operator reads it (UTC, to the second), or a dash. */
export function when(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}
