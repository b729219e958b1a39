// Tests stay on loopback: names under `.invalid` (RFC 6761: never resolvable) fail with ENOTFOUND
// here instead of being asked of the network's DNS server, which answers the same.
import dns from 'node:dns';

type LookupCallback = (error: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;

export function useOfflineResolver(): () => void {
  const original = dns.lookup;
  const patched = (hostname: string, options: unknown, callback?: LookupCallback) => {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    if (hostname.endsWith('.invalid')) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        hostname,
      });
      process.nextTick(cb, error);
      return;
    }
    (original as (...args: unknown[]) => void)(
      hostname,
      ...(typeof options === 'function' ? [options] : [options, callback]),
    );
  };
  (dns as { lookup: unknown }).lookup = patched;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}
