// One poll: the GET core's agenda job (and `POST /channels/:id/trigger`) sends to the polling server,
// with the headers axios 0.21 sends from core's Node (openhim.md §3.5). ok when it answered 2xx.
import { request } from 'node:http';
import { POLLING_HOST } from './polling-app';

export interface PollOutcome {
  ok: boolean;
  /** The polling server's answer: the primary route's status (500 when the route failed). */
  status?: number;
  /** The transaction the poll was logged as, when the answer carried its id. */
  transactionId?: string;
}

export function pollOnce(pollingPort: number, channelId: string, lastRunAt: Date): Promise<PollOutcome> {
  return new Promise((resolve) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: pollingPort,
        path: '/trigger',
        method: 'GET',
        agent: false,
        headers: {
          Accept: 'application/json, text/plain, */*',
          'channel-id': channelId,
          'X-OpenHIM-LastRunAt': lastRunAt.toString(),
          'User-Agent': 'axios/0.21.4',
          Host: POLLING_HOST,
        },
      },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 500;
          const id = incoming.headers['x-openhim-transactionid'];
          resolve({
            ok: status >= 200 && status < 300,
            status,
            ...(typeof id === 'string' ? { transactionId: id } : {}),
          });
        });
        incoming.on('error', () => resolve({ ok: false }));
      },
    );
    outgoing.on('error', () => resolve({ ok: false }));
    outgoing.end();
  });
}
