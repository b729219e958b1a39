// Test controls under /__sandbox, off by default and apart from the OpenMRS API: fixed response time,
// injected failures (a status at a rate, or down for a period), request counters and reset.
// Never part of OpenMRS; for tests and benchmarks only.
import express, { Router, type RequestHandler, type Response } from 'express';

export interface Fault {
  /** HTTP status to answer with; omitted = drop the connection (as if OpenMRS were down). */
  status?: number;
  /** Share of matching requests that fail, 0–1 (default 1). */
  rate?: number;
  /** Fail only this many requests, then stop failing. */
  count?: number;
  /** Fail every request until this many ms from now. */
  forMs?: number;
  /** Regular expression on `METHOD /path`, e.g. "^POST .+Observation". */
  match?: string;
}

interface ActiveFault extends Fault {
  until?: number;
  pattern?: RegExp;
}

/**
 * Holds the answer until `due`: the request is worked on at once, as a server whose own work is part of
 * its response time (the stand-in's processing does not add to the latency asked for).
 */
function answerAfter(res: Response, due: number): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    const wait = due - Date.now();
    if (wait > 0) setTimeout(() => end(...args), wait);
    else end(...args);
    return res;
  }) as Response['end'];
}

export class SandboxControls {
  latencyMs = 0;
  private fault: ActiveFault | undefined;
  private counters = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  setFault(fault: Fault | undefined): void {
    this.fault = fault && {
      ...fault,
      ...(fault.forMs !== undefined ? { until: this.now() + fault.forMs } : {}),
      ...(fault.match ? { pattern: new RegExp(fault.match) } : {}),
    };
  }

  resetCounters(): void {
    this.counters.clear();
  }

  counts(): { total: number; byRoute: Record<string, number> } {
    const byRoute = Object.fromEntries([...this.counters.entries()].sort());
    return { total: [...this.counters.values()].reduce((a, b) => a + b, 0), byRoute };
  }

  /** Counts, delays and fails OpenMRS API requests as the controls say. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const route = `${req.method} ${req.path.replace(/\/[0-9a-fA-F-]{36}$/, '/{id}')}`;
      this.counters.set(route, (this.counters.get(route) ?? 0) + 1);
      const proceed = () => {
        const fault = this.fault;
        const applies =
          fault &&
          (!fault.pattern || fault.pattern.test(`${req.method} ${req.path}`)) &&
          (fault.until === undefined || this.now() < fault.until) &&
          (fault.count === undefined || fault.count > 0) &&
          Math.random() < (fault.rate ?? 1);
        if (!applies) return next();
        if (fault.count !== undefined) fault.count -= 1;
        if (fault.status === undefined) return req.socket.destroy();
        res
          .status(fault.status)
          .type('text/plain')
          .send(`Injected failure (sandbox control): ${fault.status}`);
      };
      if (this.latencyMs > 0) answerAfter(res, Date.now() + this.latencyMs);
      proceed();
    };
  }

  routes(reset: () => void): Router {
    const router = Router();
    router.use(express.json());
    router.put('/latency', (req, res) => {
      const ms = Number((req.body as { ms?: unknown }).ms);
      if (!Number.isFinite(ms) || ms < 0) {
        res.status(400).json({ error: 'body must be {"ms": <non-negative number>}' });
        return;
      }
      this.latencyMs = ms;
      res.json({ latencyMs: ms });
    });
    router.put('/fault', (req, res) => {
      const fault = req.body as Fault;
      if (
        fault.status !== undefined &&
        !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status < 600)
      ) {
        res
          .status(400)
          .json({ error: 'status must be an HTTP error status (400–599), or omitted to drop connections' });
        return;
      }
      this.setFault(fault);
      res.json({ fault });
    });
    router.delete('/fault', (_req, res) => {
      this.setFault(undefined);
      res.status(204).end();
    });
    router.get('/counters', (_req, res) => {
      res.json(this.counts());
    });
    router.delete('/counters', (_req, res) => {
      this.resetCounters();
      res.status(204).end();
    });
    router.post('/reset', (_req, res) => {
      reset();
      res.status(204).end();
    });
    return router;
  }
}
