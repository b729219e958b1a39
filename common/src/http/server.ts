// The edge every Express service shares: request context and correlation id, Basic auth, one error
// handler that maps each error type to a status once (unknown errors are 500), and listen/shutdown.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, ErrorRequestHandler, RequestHandler } from 'express';
import { newRequestContext, runInContext } from '../context/request-context';
import { FhirError } from '../fhir/fhir-errors';
import { MEDIATOR_CONTENT_TYPE, mediatorResponse } from '../mediator/mediator-response';
import type { Logger } from '../logging/logger';

/** An error our own route raises on purpose, with the status and message the caller should see. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const TRANSACTION_ID_HEADER = 'x-openhim-transactionid';

/** Runs the rest of the request inside its own context, and logs one line when it ends. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const context = newRequestContext(req.header(TRANSACTION_ID_HEADER) || undefined);
    res.setHeader('X-Correlation-ID', context.correlationId);
    const started = Date.now();
    res.on('finish', () =>
      runInContext(context, () =>
        logger.info(
          { method: req.method, path: req.path, status: res.statusCode, ms: Date.now() - started },
          `${req.method} ${req.path} -> ${res.statusCode}`,
        ),
      ),
    );
    runInContext(context, next);
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** HTTP Basic auth against one configured user; compares in constant time. */
export function basicAuth(username: string, password: string, realm = 'mediator'): RequestHandler {
  const expected = digest(`${username}:${password}`);
  return (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', `Basic realm="${realm}"`);
    res.status(401).json({ error: 'Unauthorized: send HTTP Basic credentials of the mediator user' });
  };
}

interface StatusError {
  status: number;
  message: string;
  details?: unknown;
  logAs: 'warn' | 'error';
}

/** The request-body limit of every service: CHT pushes and OpenHIM calls are a few kilobytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
  code?: string;
  limit?: number;
}

/** What the body parser refused, in words that name the problem; undefined when it is not its error. */
function bodyProblem(error: BodyParserError, contentEncoding = 'identity'): StatusError | undefined {
  if (!error?.expose || !error.status || error.status < 400 || error.status >= 500) return undefined;
  const refused = (status: number, message: string): StatusError => ({ status, message, logAs: 'warn' });
  switch (error.type) {
    case 'entity.parse.failed':
      return refused(400, `request body is not valid JSON: ${error.message}`);
    case 'entity.too.large':
      return refused(
        413,
        `request body is larger than the limit of ${error.limit ?? BODY_LIMIT_BYTES} bytes`,
      );
    case 'charset.unsupported':
      return refused(415, `${error.message}: send the JSON body in UTF-8`);
    case 'encoding.unsupported':
      return refused(
        415,
        `${error.message}: send the body plain or with Content-Encoding gzip, deflate or br`,
      );
  }
  if (error.code?.startsWith('Z_') || error.code?.startsWith('ERR__ERROR'))
    return refused(400, `request body could not be decompressed as ${contentEncoding}: ${error.message}`);
  return refused(error.status, `request refused: ${error.message}`);
}

/** The one place an error becomes a status. */
export function classify(error: unknown, contentEncoding?: string): StatusError {
  if (error instanceof HttpError)
    return { status: error.status, message: error.message, details: error.details, logAs: 'warn' };
  if (error instanceof FhirError) {
    // The peer failed or could not be reached: 503 asks the sender to retry later. Any other answer
    // from a peer to a request we built is ours to fix: 502 with the peer's own words.
    return { status: error.transient ? 503 : 502, message: error.message, logAs: 'error' };
  }
  const refused = bodyProblem(error as BodyParserError, contentEncoding);
  if (refused) return refused;
  return {
    status: 500,
    message: 'internal error; see the service log for the correlation id',
    logAs: 'error',
  };
}

export function errorHandler(logger: Logger, mediatorUrn?: string): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status, message, details, logAs } = classify(error, req.get('content-encoding'));
    logger[logAs]({ err: error, status }, message);
    const body = details === undefined ? { error: message } : { error: message, details };
    if (!mediatorUrn) {
      res.status(status).json(body);
      return;
    }
    const asError = error instanceof Error ? error : new Error(message);
    const response = mediatorResponse(mediatorUrn, { status, body }, status >= 500 ? { error: asError } : {});
    res.status(status).type(MEDIATOR_CONTENT_TYPE).send(JSON.stringify(response));
  };
}

export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

export function serverUrl(server: Server, path = ''): string {
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}${path}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** Stops cleanly on Ctrl-C or SIGTERM: stop accepting, finish cleanup, exit. */
export function stopOnSignals(logger: Logger, cleanup: () => Promise<void> | void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    Promise.resolve()
      .then(cleanup)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stopping failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
