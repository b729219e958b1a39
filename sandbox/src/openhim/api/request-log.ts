// One log line per request on the stand-in's ports (method, path, status, duration), without adding
// any header core would not send. Heartbeats are logged at debug level, as they come every 10 s.
import type { Logger } from '@cht-openmrs/common';
import type { RequestHandler } from 'express';

export function requestLog(logger: Logger, port: 'api' | 'router' | 'polling'): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    res.on('finish', () => {
      const line = {
        port,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Date.now() - started,
      };
      const transaction = res.getHeader('x-openhim-transactionid');
      const quiet = /\/heartbeat$/.test(req.path);
      logger[quiet ? 'debug' : 'info'](
        transaction ? { ...line, transaction } : line,
        `${port} ${req.method} ${req.path} -> ${res.statusCode}`,
      );
    });
    next();
  };
}
