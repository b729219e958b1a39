// May this client use this channel (openhim.md §3.3; core@v8.5.0:src/middleware/authorisation.js):
// the IP whitelist (when set) must match, and the channel is public, or one of the client's roles or
// its clientID is in `allow`. Pure.
import type { Channel, Client } from '../model/types';

export function isAuthorised(
  channel: Pick<Channel, 'whitelist' | 'authType' | 'allow'>,
  client: Pick<Client, 'roles' | 'clientID'> | undefined,
  ip: string,
): boolean {
  if (channel.whitelist.length > 0 && !channel.whitelist.includes(ip)) return false;
  if (channel.authType === 'public') return true;
  if (!client) return false;
  return (
    channel.allow.some((entry) => client.roles.includes(entry)) || channel.allow.includes(client.clientID)
  );
}
