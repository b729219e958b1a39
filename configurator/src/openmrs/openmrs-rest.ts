// The OpenMRS REST v1 calls the configurator makes: metadata by uuid, identifier types by name.
import type { AxiosInstance } from 'axios';
import { createHttpClient, type Logger } from '@cht-openmrs/common';

export interface RestObject {
  uuid: string;
  display?: string;
  name?: string;
  retired?: boolean;
  datatype?: { uuid?: string; display?: string; name?: string };
}

export type MetadataKind = 'visittype' | 'encountertype' | 'location' | 'concept';

export class OpenmrsRest {
  readonly http: AxiosInstance;

  constructor(baseURL: string, username: string, password: string, logger?: Logger) {
    this.http = createHttpClient({ peer: 'OpenMRS', baseURL, username, password, logger, retries: 1 });
  }

  /** The object by uuid, or undefined when OpenMRS does not know it. */
  async get(kind: MetadataKind, uuid: string): Promise<RestObject | undefined> {
    const response = await this.http.get<RestObject>(`/${kind}/${encodeURIComponent(uuid)}`, {
      params: { v: 'full' },
      validateStatus: (status) => status === 200 || status === 404,
    });
    return response.status === 200 ? response.data : undefined;
  }

  /** Identifier types whose name is exactly this one (`?q=` matches by prefix). */
  async identifierTypes(name: string): Promise<RestObject[]> {
    const { data } = await this.http.get<{ results: RestObject[] }>('/patientidentifiertype', {
      params: { q: name, v: 'full' },
    });
    return data.results.filter((type) => (type.name ?? type.display) === name);
  }

  async createIdentifierType(name: string, description: string): Promise<RestObject> {
    const body = {
      name,
      description,
      required: false,
      locationBehavior: 'NOT_USED',
      uniquenessBehavior: 'UNIQUE',
    };
    return (await this.http.post<RestObject>('/patientidentifiertype', body)).data;
  }

  async session(): Promise<{ authenticated: boolean }> {
    return (await this.http.get<{ authenticated: boolean }>('/session')).data;
  }
}
