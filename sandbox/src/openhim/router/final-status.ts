// A transaction's final status (openhim.md §3.4; core@v8.5.0:src/middleware/messageStore.js
// setFinalStatus): a mediator's `status` wins verbatim; otherwise the primary's status and the other
// routes' decide. Pure.

export interface StatusInput {
  /** The status the transaction was stored with (Processing, or Pending Async for async channels). */
  initial: string;
  primaryStatus: number;
  otherRouteStatuses: number[];
  mediatorStatus?: string | undefined;
  asynchronous: boolean;
}

const within = (status: number, low: number, high: number) => status >= low && status <= high;

export function finalStatus(input: StatusInput): string {
  if (input.mediatorStatus !== undefined && input.mediatorStatus !== null) return input.mediatorStatus;
  const routeFailures = input.otherRouteStatuses.some((s) => within(s, 500, 599));
  const routeSuccess = input.otherRouteStatuses.every((s) => within(s, 200, 299));
  const primary = input.primaryStatus;
  let status = input.initial;
  if (within(primary, 500, 599)) status = 'Failed';
  else {
    if (routeFailures) status = 'Completed with error(s)';
    if (within(primary, 200, 299) && routeSuccess)
      status = input.asynchronous ? 'Pending Async' : 'Successful';
    if (within(primary, 400, 499) && routeSuccess) status = 'Completed';
  }
  return status === 'Processing' ? 'Completed' : status;
}
