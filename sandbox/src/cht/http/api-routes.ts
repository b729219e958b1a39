// /api routes of the CHT stand-in (reference cht.md §2): parse, call the core, answer.
import express, { type Request, type RequestHandler, Router } from 'express';
import type { ChtCore } from '../cht-core';
import { ChtError } from '../core/errors';
import { isObject } from '../core/types';
import { requireAdmin, requireOnline, requirePermissions } from './auth';

const JSON_LIMIT = '32mb';

/** postJson routes demand exactly `application/json` (routing.js:98-111). */
const exactJsonType: RequestHandler = (req, _res, next) => {
  if (req.header('content-type') !== 'application/json')
    throw new ChtError(400, 'Content-Type must be application/json');
  next();
};

const nonEmptyBody: RequestHandler = (req, _res, next) => {
  if (!isObject(req.body) || Object.keys(req.body).length === 0)
    throw new ChtError(400, 'Request body is empty or Content-Type header was not set to application/json.');
  next();
};

const param = (req: Request, name: string): string => String(req.params[name]);

function parseDocIds(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function apiRoutes(core: ChtCore): Router {
  const router = Router();
  const can = (...permissions: string[]) => requirePermissions(core.settings, permissions);
  const canOnline = (...permissions: string[]) => requirePermissions(core.settings, permissions, true);
  const online = requireOnline(core.settings);
  const json = express.json({ limit: JSON_LIMIT });

  const postJson = [exactJsonType, json, nonEmptyBody];
  router.post('/api/v1/people', ...postJson, can('can_edit', 'can_create_people'), async (req, res) => {
    res.json(await core.contacts.createPerson(req.body));
  });
  router.post('/api/v1/places', ...postJson, can('can_edit', 'can_create_places'), async (req, res) => {
    res.json(await core.contacts.createPlace(req.body));
  });

  router.post('/api/v1/places/:id', ...postJson, can('can_edit', 'can_update_places'), async (req, res) => {
    res.json(await core.contacts.updatePlace(param(req, 'id'), req.body));
  });

  const records: RequestHandler = async (req, res) => {
    // JSON only; SMS (urlencoded) parsing and other types are CHT's plain 500 without details.
    if (!req.is('json')) throw new ChtError(500, 'Content type not supported.');
    res.json(
      await core.records.createFromJson(req.body, res.getHeader('X-Correlation-ID') as string | undefined),
    );
  };
  router.post(
    ['/api/v1/records', '/api/v2/records'],
    can('can_create_records'),
    express.json({ limit: JSON_LIMIT }),
    records,
  );

  const text = express.text({ type: ['text/plain', 'application/xml', 'text/csv'], limit: JSON_LIMIT });
  router.put('/api/v1/credentials/:key', requireAdmin(), text, async (req, res) => {
    if (typeof req.body !== 'string' || req.body === '')
      throw new ChtError(400, 'Missing required request body');
    await core.credentials.set(param(req, 'key'), req.body);
    res.json({ ok: true });
  });

  router.get('/api/v1/settings', (_req, res) => {
    res.json(core.settings());
  });
  // putJson, auth.check(can_edit, can_configure), then settings.update(body, replace, overwrite): any
  // non-empty query value counts as set, as in CHT (`?replace=false` replaces too).
  router.put('/api/v1/settings', exactJsonType, json, can('can_edit', 'can_configure'), (req, res) => {
    const given = (name: string) => typeof req.query[name] === 'string' && req.query[name] !== '';
    const mode = given('overwrite') ? 'overwrite' : given('replace') ? 'replace' : 'extend';
    res.json({ success: true, updated: core.updateSettings(req.body, mode) });
  });

  for (const kind of ['place', 'person'] as const) {
    router.get(`/api/v1/${kind}/:id`, canOnline('can_view_contacts'), async (req, res) => {
      res.json(await core.reads.contact(kind, param(req, 'id'), req.query.with_lineage === 'true'));
    });
    router.get(`/api/v1/${kind}`, canOnline('can_view_contacts'), async (req, res) => {
      res.json(await core.reads.page(kind, req.query.type, req.query.limit, req.query.cursor));
    });
  }

  router.get('/api/v1/hydrate', online, async (req, res) => {
    res.json(await core.reads.hydrateIds(parseDocIds(req.query.doc_ids)));
  });
  router.post('/api/v1/hydrate', online, express.json(), async (req, res) => {
    res.json(await core.reads.hydrateIds(parseDocIds(isObject(req.body) ? req.body.doc_ids : undefined)));
  });
  router.get('/api/v1/contacts-by-phone', online, async (req, res) => {
    res.json(await core.reads.byPhone(req.query.phone));
  });
  router.post('/api/v1/contacts-by-phone', online, express.json(), async (req, res) => {
    res.json(await core.reads.byPhone(isObject(req.body) ? req.body.phone : undefined));
  });
  return router;
}
