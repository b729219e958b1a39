// The transaction log as core's message store writes it (openhim.md §3.3–§3.4; core@v8.5.0:src/
// middleware/messageStore.js): a record when an authorised request arrives (status Processing), the
// primary response with the orchestrations after the client is answered, each non-primary route as
// it completes, and the final status once every route has finished. Header names containing '.' or
// '$' are escaped as in MongoDB; all bodies of one transaction together are cut at 15 MiB.
import type { Logger } from '@cht-openmrs/common';
import { newObjectId } from '../model/object-id';
import type {
  Channel,
  ErrorRecord,
  HeaderMap,
  Orchestration,
  RequestRecord,
  ResponseRecord,
  RouteRecord,
  Transaction,
} from '../model/types';
import type { State } from '../store/state';

const MAX_BODIES_BYTES = 15 * 1024 * 1024;
const TRUNCATE_APPEND = '\n[truncated ...]';

/** MongoDB cannot store '.' or '$' in keys: core replaces the first of each with full-width forms. */
export function escapeHeaderKeys(headers: HeaderMap | Record<string, unknown> | undefined): HeaderMap {
  const out: HeaderMap = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const safe = key.replace('.', '\uff0e').replace('$', '\uff04');
    out[safe] = Array.isArray(value) ? value.map(String) : value === undefined ? undefined : String(value);
  }
  return out;
}

/** Running total of stored body bytes per transaction, as core's enforceMaxBodiesSize keeps. */
export class BodyBudget {
  private used = 0;

  /** The body as stored: cut with "[truncated ...]" once the transaction's bodies pass 15 MiB. */
  take(body: string): { body: string; truncated: boolean } {
    let length = Buffer.byteLength(body);
    let stored = body;
    let truncated = false;
    if (this.used + length > MAX_BODIES_BYTES) {
      length = Math.max(0, MAX_BODIES_BYTES - this.used);
      const room = length - Buffer.byteLength(TRUNCATE_APPEND);
      stored = room > 0 ? Buffer.from(body).subarray(0, room).toString() + TRUNCATE_APPEND : TRUNCATE_APPEND;
      truncated = true;
    }
    this.used += length;
    return { body: stored, truncated };
  }
}

export interface ArrivedRequest {
  channel: Channel;
  clientId: string | undefined;
  clientIp: string;
  /** The Host header, split into host and port as core does. */
  hostHeader: string | undefined;
  path: string;
  querystring: string;
  method: string;
  headers: HeaderMap;
  body: Buffer;
}

export interface ResponseUpdate {
  response: ResponseRecord;
  error?: ErrorRecord | undefined;
  orchestrations: Orchestration[];
  properties?: Record<string, unknown> | undefined;
  warnings: string[];
}

export class TransactionLog {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly state: State,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Stores the request of an authorised transaction (core's storeTransaction). */
  start(request: ArrivedRequest, budget: BodyBudget): Transaction {
    const timestamp = new Date(this.now()).toISOString();
    const [host, port] = (request.hostHeader ?? '').split(':');
    let body = request.body.toString();
    let canRerun = true;
    if (request.channel.requestBody === false || body === '') {
      body = '';
      if (['POST', 'PUT', 'PATCH'].includes(request.method)) canRerun = false;
    }
    const cut = budget.take(body);
    if (cut.truncated) canRerun = false;
    const record: RequestRecord = {
      ...(request.hostHeader ? { host, port } : {}),
      path: request.path,
      headers: escapeHeaderKeys(request.headers),
      querystring: request.querystring,
      body: cut.body,
      method: request.method,
      timestamp,
    };
    const transaction: Transaction = {
      _id: newObjectId(this.now()),
      status: request.channel.isAsynchronousProcess ? 'Pending Async' : 'Processing',
      ...(request.clientId ? { clientID: request.clientId } : {}),
      channelID: request.channel._id,
      clientIP: request.clientIp,
      request: record,
      routes: [],
      orchestrations: [],
      canRerun,
      autoRetry: false,
      wasRerun: false,
      __v: 0,
    };
    return this.state.transactions.save(transaction);
  }

  /** Core writes these after answering; `settled()` waits for them (tests poll the API instead). */
  private later(write: () => void): void {
    const done = new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          write();
        } catch (error) {
          this.logger.error({ err: error }, 'could not update the transaction');
        }
        resolve();
      }),
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  storeResponse(id: string, update: ResponseUpdate): void {
    this.later(() =>
      this.state.transactions.update(id, (tx) => ({
        ...tx,
        response: update.response,
        ...(update.error ? { error: update.error } : {}),
        orchestrations: update.orchestrations,
        ...(update.properties ? { properties: update.properties } : {}),
        ...(update.warnings.length > 0
          ? { _sandboxWarnings: [...(tx._sandboxWarnings ?? []), ...update.warnings] }
          : {}),
      })),
    );
  }

  pushRoute(id: string, route: RouteRecord): void {
    this.later(() => this.state.transactions.update(id, (tx) => ({ ...tx, routes: [...tx.routes, route] })));
  }

  setFinalStatus(id: string, status: string, autoRetry: boolean | undefined): void {
    this.later(() =>
      this.state.transactions.update(id, (tx) => ({
        ...tx,
        status,
        ...(autoRetry !== undefined ? { autoRetry } : {}),
      })),
    );
  }

  /** Counts work still running for a transaction (non-primary routes) in `settled()`. */
  track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Resolves once every write started so far has been made. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
