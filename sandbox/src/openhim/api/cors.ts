// CORS as core's API sets it (kcors with credentials, methods GET,HEAD,PUT,POST,DELETE): the
// console in a browser talks to the API directly.
import type { RequestHandler } from 'express';

export function cors(): RequestHandler {
  return (req, res, next) => {
    const origin = req.header('origin');
    if (!origin) return next();
    res.vary('Origin');
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET,HEAD,PUT,POST,DELETE');
      const asked = req.header('access-control-request-headers');
      if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
      res.status(204).end();
      return;
    }
    next();
  };
}
