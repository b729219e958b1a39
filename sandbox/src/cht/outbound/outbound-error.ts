/** A failed push attempt (mapping, credentials, auth type or HTTP): the config is queued (cht.md §1.6). */
export class OutboundError extends Error {
  override name = 'OutboundError';
}
