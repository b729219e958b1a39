// Which channel a router request belongs to (openhim.md §3.3; core@v8.5.0:src/middleware/
// requestMatching.js): enabled channels in priority order (no priority last), and the first whose
// urlPattern (a JS regex, unanchored, on the path only), content matchers, `methods` (which must list
// the method: an empty list never matches) and content types all match. Pure.
import type { Channel } from '../model/types';

export interface MatchableRequest {
  path: string;
  method: string;
  contentType?: string | undefined;
  body: Buffer;
}

export const isChannelEnabled = (channel: Pick<Channel, 'status'>) =>
  !channel.status || channel.status === 'enabled';

/** Core's channel cache order: ascending priority, then the channels without one. */
export function inPriorityOrder(channels: Channel[]): Channel[] {
  const withPriority = channels
    .filter((c) => c.priority !== undefined && c.priority !== null)
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  return [...withPriority, ...channels.filter((c) => c.priority === undefined || c.priority === null)];
}

function valueAtJsonPath(json: unknown, jsonPath: string): unknown {
  const parts = jsonPath
    .replace(/\[(\w+)\]/g, '.$1')
    .replace(/^\./, '')
    .split('.');
  let value: unknown = json;
  for (const part of parts) {
    if (typeof value === 'object' && value !== null && part in value)
      value = (value as Record<string, unknown>)[part];
    else return undefined;
  }
  return value;
}

/** Throws, as core does, when a JSON matcher meets a body that is not JSON (Koa answers 500). */
function matchContent(channel: Channel, body: Buffer): boolean {
  if (channel.matchContentRegex) return new RegExp(channel.matchContentRegex).test(body.toString());
  if (channel.matchContentXpath && channel.matchContentValue) return false; // XPath: not reproduced
  if (channel.matchContentJson && channel.matchContentValue) {
    const value = valueAtJsonPath(JSON.parse(body.toString()), channel.matchContentJson);
    if (value === undefined || value === null)
      throw new TypeError("Cannot read property 'toString' of undefined");
    return channel.matchContentValue === String(value);
  }
  return !(channel.matchContentXpath || channel.matchContentJson);
}

function matchContentTypes(channel: Channel, contentType: string | undefined): boolean {
  if (channel.matchContentTypes.length === 0) return true;
  if (!contentType) return false;
  return channel.matchContentTypes.includes(contentType.split(';')[0]?.trim() ?? '');
}

export function matchChannel(channels: Channel[], request: MatchableRequest): Channel | undefined {
  return inPriorityOrder(channels.filter(isChannelEnabled)).find(
    (channel) =>
      new RegExp(channel.urlPattern).test(request.path) &&
      matchContent(channel, request.body) &&
      channel.methods.some((method) => request.method.toUpperCase() === method) &&
      matchContentTypes(channel, request.contentType),
  );
}
