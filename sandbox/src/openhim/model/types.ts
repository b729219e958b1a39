// The stored documents of the OpenHIM stand-in, as core's API returns them (JSON of mongoose
// documents: `_id`, `__v`, defaults applied). Only documents that went through model/schema.ts
// are given these types.

export interface Stored {
  _id: string;
  __v?: number;
}

export interface Route extends Stored {
  name: string;
  type: 'http' | 'kafka';
  status: 'enabled' | 'disabled';
  secured?: boolean;
  host?: string;
  port?: number;
  path?: string;
  pathTransform?: string;
  primary?: boolean;
  username?: string;
  password?: string;
  forwardAuthHeader: boolean;
  waitPrimaryResponse?: boolean;
  statusCodesCheck?: string;
}

export type ChannelStatus = 'enabled' | 'disabled' | 'deleted';

export interface Channel extends Stored {
  name: string;
  description?: string;
  urlPattern: string;
  isAsynchronousProcess: boolean;
  maxBodyAgeDays?: number;
  timeout?: number;
  methods: string[];
  type: 'http' | 'tcp' | 'tls' | 'polling';
  priority?: number;
  pollingSchedule?: string;
  requestBody?: boolean;
  responseBody?: boolean;
  allow: string[];
  whitelist: string[];
  authType: 'private' | 'public';
  routes: Route[];
  matchContentTypes: string[];
  matchContentRegex?: string;
  matchContentXpath?: string;
  matchContentJson?: string;
  matchContentValue?: string;
  txViewAcl: string[];
  txViewFullAcl: string[];
  txRerunAcl: string[];
  status: ChannelStatus;
  updatedBy?: { id?: string; name?: string };
}

export interface ConfigDef extends Stored {
  param?: string;
  displayName?: string;
  description?: string;
  type?: 'string' | 'bool' | 'number' | 'option' | 'bigstring' | 'map' | 'struct' | 'password';
  values: string[];
  template: unknown[];
  array?: boolean;
}

export interface Mediator extends Stored {
  urn: string;
  version: string;
  name: string;
  description?: string;
  endpoints: Route[];
  defaultChannelConfig: Channel[];
  configDefs: ConfigDef[];
  config?: Record<string, unknown>;
  _configModifiedTS?: string;
  _uptime?: number;
  _lastHeartbeat?: string;
}

export interface Client extends Stored {
  clientID: string;
  clientDomain?: string;
  name: string;
  roles: string[];
  customTokenID?: string;
  passwordAlgorithm?: string;
  passwordHash?: string;
  passwordSalt?: string;
}

export interface User extends Stored {
  firstname: string;
  surname: string;
  email: string;
  provider: 'openid' | 'local' | 'token';
  groups: string[];
  /** Core ≤7.1 keeps the credentials on the user (deprecated later, still importable). */
  passwordAlgorithm?: string;
  passwordHash?: string;
  passwordSalt?: string;
  locked?: boolean;
}

export interface Passport extends Stored {
  protocol: string;
  email: string;
  /** bcrypt hash of a `local` passport. */
  password?: string;
  passwordAlgorithm?: string;
  passwordHash?: string;
  passwordSalt?: string;
}

export interface ContactGroup extends Stored {
  group: string;
  users: unknown[];
}

export type TransactionStatus =
  'Processing' | 'Pending Async' | 'Successful' | 'Completed' | 'Completed with error(s)' | 'Failed';

export type HeaderMap = Record<string, string | string[] | undefined>;

export interface RequestRecord {
  host?: string;
  port?: string;
  path: string;
  headers: HeaderMap;
  querystring: string;
  body?: string;
  method: string;
  timestamp: string;
}

export interface ResponseRecord {
  status: number;
  headers: HeaderMap;
  body: string;
  timestamp?: string;
}

export interface ErrorRecord {
  message: string;
  stack?: string;
}

export interface Orchestration {
  name: string;
  group?: string;
  request?: Partial<RequestRecord>;
  response?: Partial<ResponseRecord>;
  error?: ErrorRecord;
}

export interface RouteRecord {
  name: string;
  request?: Partial<RequestRecord>;
  response?: Partial<ResponseRecord>;
  orchestrations?: Orchestration[];
  properties?: Record<string, unknown>;
  mediatorURN?: string;
  metrics?: unknown;
  error?: ErrorRecord;
}

export interface Transaction extends Stored {
  clientID?: string;
  clientIP?: string;
  channelID: string;
  request: RequestRecord;
  response?: ResponseRecord;
  routes: RouteRecord[];
  orchestrations: Orchestration[];
  properties?: Record<string, unknown>;
  canRerun: boolean;
  autoRetry: boolean;
  wasRerun: boolean;
  error?: ErrorRecord;
  /** Core stores a mediator's status verbatim, unchecked against the enum (openhim.md §5). */
  status: TransactionStatus | (string & Record<never, never>);
  /** Not core: what the stand-in noticed that core would reject or lose (see README). */
  _sandboxWarnings?: string[];
}
