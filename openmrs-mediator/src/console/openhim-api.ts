// What the console asks OpenHIM's API (openhim.md §3): the pushes that carried a CHT document, found by
// the `chtDocument` property the CHT mediator puts in its answer (core's `filters={"properties":{key:value}}`,
// §3.4); one transaction by id; and a run of the polling channel now (`POST /channels/:id/trigger`, §3.2),
// so a sync asked for in the console is an OpenHIM transaction like every other. Without OPENHIM_API_URL it
// finds nothing and triggers nothing.
import { Agent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface TransactionSummary {
  id: string;
  status?: string;
  time?: string;
  path?: string;
  method?: string;
  responseStatus?: number;
  properties?: Record<string, unknown>;
}

interface RawTransaction {
  _id: string;
  status?: string;
  request?: { path?: string; method?: string; timestamp?: string };
  response?: { status?: number };
  properties?: Record<string, unknown>;
}

function summary(tx: RawTransaction): TransactionSummary {
  return {
    id: tx._id,
    ...(tx.status ? { status: tx.status } : {}),
    ...(tx.request?.timestamp ? { time: tx.request.timestamp } : {}),
    ...(tx.request?.path ? { path: tx.request.path } : {}),
    ...(tx.request?.method ? { method: tx.request.method } : {}),
    ...(tx.response?.status !== undefined ? { responseStatus: tx.response.status } : {}),
    ...(tx.properties ? { properties: tx.properties } : {}),
  };
}

export interface OpenhimApiSettings {
  OPENHIM_API_URL?: string | undefined;
  OPENHIM_USERNAME: string;
  OPENHIM_PASSWORD: string;
  OPENHIM_TRUST_SELF_SIGNED: boolean;
}

export class OpenhimApi {
  private readonly api: AxiosInstance | undefined;

  constructor(settings: OpenhimApiSettings) {
    this.api = settings.OPENHIM_API_URL
      ? axios.create({
          baseURL: settings.OPENHIM_API_URL,
          auth: { username: settings.OPENHIM_USERNAME, password: settings.OPENHIM_PASSWORD },
          timeout: 10_000,
          ...(settings.OPENHIM_TRUST_SELF_SIGNED
            ? { httpsAgent: new Agent({ rejectUnauthorized: false }) }
            : {}),
        })
      : undefined;
  }

  get configured(): boolean {
    return this.api !== undefined;
  }

  /** The transactions whose mediator set this property to this value, newest first. */
  async withProperty(key: string, value: string, limit = 20): Promise<TransactionSummary[]> {
    if (!this.api) return [];
    const { data } = await this.api.get<RawTransaction[]>('/transactions', {
      params: { filters: JSON.stringify({ properties: { [key]: value } }), filterLimit: limit },
    });
    return Array.isArray(data) ? data.map(summary) : [];
  }

  /**
   * Runs the named polling channel now, as its schedule would; resolves once OpenHIM has its route's answer.
   * False when OpenHIM is not configured or has no such channel; throws when the trigger fails.
   */
  async triggerChannel(name: string): Promise<boolean> {
    if (!this.api) return false;
    const { data } = await this.api.get<{ _id: string; name: string; status?: string }[]>('/channels');
    const channel = (Array.isArray(data) ? data : []).find((c) => c.name === name && c.status !== 'deleted');
    if (!channel) return false;
    await this.api.post(`/channels/${encodeURIComponent(channel._id)}/trigger`, undefined, {
      timeout: 120_000,
    });
    return true;
  }

  async byId(id: string): Promise<TransactionSummary | undefined> {
    if (!this.api || !/^[0-9a-f]{24}$/i.test(id)) return undefined;
    const response = await this.api.get<RawTransaction>(`/transactions/${id}`, {
      params: { filterRepresentation: 'simple' },
      validateStatus: (s) => s === 200 || s === 404,
    });
    return response.status === 200 ? summary(response.data) : undefined;
  }
}
