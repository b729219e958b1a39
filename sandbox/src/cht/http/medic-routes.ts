// The database proxy at /medic (reference cht.md §2.6): GET and writes of docs, Mango `_find` with
// CouchDB semantics (default limit 25, `fields`, `bookmark`, `warning`), `_bulk_docs`. Answers and
// errors are CouchDB's `{error, reason}`.
import express, { type Request, Router } from 'express';
import type { ChtCore } from '../cht-core';
import { CouchError } from '../core/errors';
import { isObject } from '../core/types';
import { requireOnline, requirePermissions } from './auth';

const COUCH_DEFAULT_LIMIT = 25;

function decodeBookmark(bookmark: unknown): number {
  if (bookmark === undefined || bookmark === 'nil') return 0;
  const skip = Number(
    Buffer.from(String(bookmark), 'base64url')
      .toString('utf8')
      .replace(/^skip:/, ''),
  );
  if (!Number.isInteger(skip) || skip < 0)
    throw new CouchError(400, 'invalid_bookmark', `Invalid bookmark value: ${JSON.stringify(bookmark)}`);
  return skip;
}

const encodeBookmark = (skip: number) => Buffer.from(`skip:${skip}`).toString('base64url');
const docId = (req: Request) => String(req.params.id);

export function medicRoutes(core: ChtCore): Router {
  const router = Router();
  const online = requireOnline(core.settings);
  const canEdit = requirePermissions(core.settings, ['can_edit']);
  const json = express.json({ limit: '32mb' });
  const db = core.medic.db;

  router.post('/medic/_find', online, json, async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    if (!isObject(body.selector)) throw new CouchError(400, 'bad_request', 'Missing required key: selector');
    const limit = typeof body.limit === 'number' ? body.limit : COUCH_DEFAULT_LIMIT;
    const skip = (typeof body.skip === 'number' ? body.skip : 0) + decodeBookmark(body.bookmark);
    const query: Record<string, unknown> = { ...body, limit, skip };
    delete query.bookmark;
    const result = await db.find(query);
    res.json({
      docs: result.docs,
      bookmark: encodeBookmark(skip + result.docs.length),
      ...(result.warning ? { warning: result.warning } : {}),
    });
  });
  router.post('/medic/_bulk_docs', online, canEdit, json, async (req, res) => {
    const docs = isObject(req.body) && Array.isArray(req.body.docs) ? req.body.docs : undefined;
    if (!docs) throw new CouchError(400, 'bad_request', 'POST body must include `docs` parameter.');
    res.status(201).json(await db.bulkDocs(docs));
  });
  router.post('/medic', online, canEdit, json, async (req, res) => {
    res.status(201).json(await db.post(req.body));
  });
  router.get('/medic/:id', online, async (req, res) => {
    res.json(await db.get(docId(req)));
  });
  router.put('/medic/:id', online, canEdit, json, async (req, res) => {
    res.status(201).json(await db.put({ ...req.body, _id: docId(req) }));
  });
  router.delete('/medic/:id', online, canEdit, async (req, res) => {
    res.json(await db.remove(docId(req), String(req.query.rev)));
  });
  return router;
}
