// The schemas of core v8.5.0's collections as far as the API shows them (openhim.md §2.1, §3.1, §4;
// core@v8.5.0:src/model/*.js): field types, defaults, enums and limits, in core's field order.
import type { Field, Model, Schema } from './schema';

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

const str = (extra: Omit<Extract<Field, { type: 'string' }>, 'type'> = {}): Field => ({
  type: 'string',
  ...extra,
});
const num = (extra: Omit<Extract<Field, { type: 'number' }>, 'type'> = {}): Field => ({
  type: 'number',
  ...extra,
});
const bool = (defaultValue?: boolean): Field =>
  defaultValue === undefined ? { type: 'boolean' } : { type: 'boolean', default: defaultValue };
const strings = (enumValues?: readonly string[]): Field =>
  enumValues ? { type: 'array', of: 'string', enum: enumValues } : { type: 'array', of: 'string' };

export const routeSchema: Schema = {
  name: str({ required: true }),
  type: str({ default: 'http', enum: ['http', 'kafka'] }),
  cert: { type: 'objectId' },
  status: str({ default: 'enabled', enum: ['enabled', 'disabled'] }),
  secured: bool(),
  host: str(),
  port: num({ min: 0, max: 65536 }),
  path: str(),
  pathTransform: str(),
  primary: bool(),
  username: str(),
  password: str(),
  forwardAuthHeader: bool(false),
  waitPrimaryResponse: bool(),
  statusCodesCheck: str(),
  kafkaClientId: str(),
  kafkaTopic: str(),
};

const alertSchema: Schema = {
  condition: str({ default: 'status', enum: ['status', 'auto-retry-max-attempted'] }),
  status: str(),
  failureRate: num(),
  groups: { type: 'array', of: 'objectId' },
  users: { type: 'array', of: 'mixed' },
};

const rewriteRuleSchema: Schema = {
  fromHost: str({ required: true }),
  toHost: str({ required: true }),
  fromPort: num({ required: true, default: 80 }),
  toPort: num({ required: true, default: 80 }),
  pathTransform: str(),
};

export const channelSchema: Schema = {
  name: str({ required: true }),
  description: str(),
  urlPattern: str({ required: true }),
  isAsynchronousProcess: bool(false),
  maxBodyAgeDays: num({ min: 1, max: 36500 }),
  lastBodyCleared: { type: 'date' },
  timeout: num({ min: 1, max: 3600000 }),
  methods: strings(HTTP_METHODS),
  type: str({ default: 'http', enum: ['http', 'tcp', 'tls', 'polling'] }),
  priority: num({ min: 1 }),
  tcpPort: num({ min: 0, max: 65536 }),
  tcpHost: str(),
  pollingSchedule: str(),
  requestBody: bool(),
  responseBody: bool(),
  allow: strings(),
  whitelist: strings(),
  authType: str({ default: 'private', enum: ['private', 'public'] }),
  routes: { type: 'subdocs', schema: routeSchema },
  matchContentTypes: strings(),
  matchContentRegex: str(),
  matchContentXpath: str(),
  matchContentJson: str(),
  matchContentValue: str(),
  properties: { type: 'array', of: 'mixed' },
  txViewAcl: strings(),
  txViewFullAcl: strings(),
  txRerunAcl: strings(),
  alerts: { type: 'subdocs', schema: alertSchema },
  status: str({ default: 'enabled', enum: ['enabled', 'disabled', 'deleted'] }),
  rewriteUrls: bool(false),
  addAutoRewriteRules: bool(true),
  rewriteUrlsConfig: { type: 'subdocs', schema: rewriteRuleSchema },
  autoRetryEnabled: bool(false),
  autoRetryPeriodMinutes: num({ default: 60, min: 1 }),
  autoRetryMaxAttempts: num({ min: 0 }),
  updatedBy: { type: 'nested', schema: { id: { type: 'objectId' }, name: str() } },
};

export const CONFIG_PARAM_TYPES = [
  'string',
  'bool',
  'number',
  'option',
  'bigstring',
  'map',
  'struct',
  'password',
] as const;

const configDefSchema: Schema = {
  param: str(),
  displayName: str(),
  description: str(),
  type: str({ enum: CONFIG_PARAM_TYPES }),
  values: strings(),
  template: { type: 'array', of: 'mixed' },
  array: bool(),
};

export const mediatorSchema: Schema = {
  urn: str({ required: true }),
  version: str({ required: true }),
  name: str({ required: true }),
  description: str(),
  endpoints: { type: 'subdocs', schema: routeSchema },
  defaultChannelConfig: { type: 'subdocs', schema: channelSchema },
  configDefs: { type: 'subdocs', schema: configDefSchema },
  config: { type: 'mixed' },
  _configModifiedTS: { type: 'date' },
  _uptime: num(),
  _lastHeartbeat: { type: 'date' },
};

export const clientSchema: Schema = {
  clientID: str({ required: true }),
  clientDomain: str(),
  name: str({ required: true }),
  roles: strings(),
  customTokenID: str(),
  passwordAlgorithm: str(),
  passwordHash: str(),
  passwordSalt: str(),
  certFingerprint: str(),
  organization: str(),
  location: str(),
  softwareName: str(),
  description: str(),
  contactPerson: str(),
  contactPersonEmail: str(),
};

export const userSchema: Schema = {
  firstname: str({ required: true }),
  surname: str({ required: true }),
  email: str({ required: true }),
  passwordAlgorithm: str(),
  passwordHash: str(),
  passwordSalt: str(),
  provider: str({ default: 'local', enum: ['openid', 'local', 'token'] }),
  groups: strings(),
  msisdn: str(),
  dailyReport: bool(),
  weeklyReport: bool(),
  settings: { type: 'mixed' },
  token: str(),
  tokenType: str({ enum: ['newUser', 'existingUser'] }),
  expiry: { type: 'date' },
  locked: bool(),
};

export const passportSchema: Schema = {
  protocol: str({ required: true }),
  password: str(),
  accessToken: str(),
  issuer: str(),
  identifier: str(),
  tokens: { type: 'mixed' },
  passwordAlgorithm: str(),
  passwordHash: str(),
  passwordSalt: str(),
  email: str({ required: true }),
};

const contactGroupSchema: Schema = {
  group: str({ required: true }),
  users: { type: 'array', of: 'mixed' },
};

export const models = {
  Channel: { name: 'Channel', schema: channelSchema },
  Mediator: { name: 'Mediator', schema: mediatorSchema },
  Client: { name: 'Client', schema: clientSchema },
  User: { name: 'User', schema: userSchema },
  Passport: { name: 'Passport', schema: passportSchema },
  ContactGroup: { name: 'ContactGroup', schema: contactGroupSchema },
} satisfies Record<string, Model>;
