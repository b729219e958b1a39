// Writes an ApiReply as Koa would (services/reply.ts): text and JSON bodies, and the status-only
// answers whose body is the Basic-auth pre-set text or Koa's status message.
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { ApiReply } from '../services/reply';

/** Core's Basic authentication sets this body before any handler runs (openhim.md §1.1). */
export const BASIC_PRESET_BODY = 'User Authenticated Successfully';

const statusMessage = (status: number) => STATUS_CODES[status] ?? String(status);

export function presetBody(res: Response): string | undefined {
  const preset: unknown = res.locals.presetBody;
  return typeof preset === 'string' ? preset : undefined;
}

export function sendText(res: Response, status: number, body: string): void {
  res.status(status).type('text/plain').send(body);
}

export function sendReply(res: Response, reply: ApiReply): void {
  switch (reply.kind) {
    case 'text':
      return sendText(res, reply.status, reply.text);
    case 'json':
      res.status(reply.status).json(reply.json);
      return;
    case 'statusOnly':
      return sendText(res, reply.status, presetBody(res) ?? statusMessage(reply.status));
    case 'noBody':
      return sendText(res, reply.status, statusMessage(reply.status));
  }
}
