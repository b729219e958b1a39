// /__sandbox: controls of the stand-in for tests and demos, not part of CHT. Inspect and clear the
// outbound queue, run a retry pass or a Sentinel pass now, add users.
import express, { Router } from 'express';
import type { ChtCore } from '../cht-core';
import { ChtError } from '../core/errors';
import { isObject } from '../core/types';

export function sandboxRoutes(core: ChtCore): Router {
  const router = Router();
  router.get('/__sandbox/outbound', async (_req, res) => {
    res.json(await core.outboundState());
  });
  router.get('/__sandbox/outbound/:docId', async (req, res) => {
    res.json(await core.outboundState(String(req.params.docId)));
  });
  router.post('/__sandbox/outbound/retry', async (_req, res) => {
    await core.retryPass();
    res.json(await core.outboundState());
  });
  router.delete('/__sandbox/outbound', async (_req, res) => {
    await core.clearOutbound();
    res.json({ ok: true });
  });
  router.post('/__sandbox/sentinel', async (_req, res) => {
    await core.sentinelPass();
    res.json({ ok: true });
  });
  router.post('/__sandbox/users', express.json(), (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    if (typeof body.name !== 'string' || typeof body.password !== 'string' || !Array.isArray(body.roles))
      throw new ChtError(400, 'expected {name, password, roles[]}');
    core.users.add({ name: body.name, password: body.password, roles: body.roles.map(String) });
    res.status(201).json({ ok: true });
  });
  return router;
}
