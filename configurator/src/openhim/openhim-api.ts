// The OpenHIM core API calls the configurator makes (openhim.md §3.2, §4), with Basic auth.
// Create calls answer without the new id: find things again by name (channels) or clientID (clients).
import type { AxiosInstance } from 'axios';
import { createHttpClient, type ChannelConfig, type Logger } from '@cht-openmrs/common';
import type { OpenhimClient } from './desired';

export type StoredChannel = ChannelConfig & { _id: string };
export type StoredClient = OpenhimClient & { _id: string };

export class OpenhimApi {
  readonly http: AxiosInstance;

  constructor(
    baseURL: string,
    username: string,
    password: string,
    trustSelfSigned: boolean,
    logger?: Logger,
  ) {
    this.http = createHttpClient({
      peer: 'OpenHIM',
      baseURL,
      username,
      password,
      logger,
      retries: 1,
      allowSelfSigned: trustSelfSigned,
    });
  }

  async heartbeat(): Promise<void> {
    await this.http.get('/heartbeat');
  }

  async channels(): Promise<StoredChannel[]> {
    return (await this.http.get<StoredChannel[]>('/channels')).data;
  }

  async createChannel(channel: ChannelConfig): Promise<void> {
    await this.http.post('/channels', channel);
  }

  async updateChannel(id: string, channel: ChannelConfig): Promise<void> {
    await this.http.put(`/channels/${encodeURIComponent(id)}`, channel);
  }

  async clients(): Promise<StoredClient[]> {
    return (await this.http.get<StoredClient[]>('/clients')).data;
  }

  async createClient(client: OpenhimClient): Promise<void> {
    await this.http.post('/clients', client);
  }

  async updateClient(id: string, client: OpenhimClient): Promise<void> {
    await this.http.put(`/clients/${encodeURIComponent(id)}`, client);
  }
}
