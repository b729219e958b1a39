// CHT's error envelope (reference cht.md §2.0, api/src/server-utils.js): JSON `{code, error, details?}`
// for clients that prefer JSON over text, text/plain otherwise; every 5xx is "Server error".
import type { Request, Response } from 'express';

export function sendChtError(
  req: Request,
  res: Response,
  status: number,
  message: string,
  details?: unknown,
): void {
  const code = status >= 500 ? 500 : status;
  const error = status >= 500 ? 'Server error' : message;
  const shownDetails = status >= 500 ? (details ?? undefined) : details;
  res.status(code);
  if (req.accepts(['text', 'json']) === 'json') {
    res.json(shownDetails === undefined ? { code, error } : { code, error, details: shownDetails });
    return;
  }
  res.type('text/plain').send(shownDetails === undefined ? error : `${error}: ${String(shownDetails)}`);
}
