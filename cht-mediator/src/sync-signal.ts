// Tells the OpenMRS mediator that something was stored (POST SYNC_SIGNAL_URL, e.g. its /sync/signal or
// OpenHIM's route to it), so that the sync runs within moments instead of at the next poll. Fire and
// forget: a push never waits for it nor fails because of it, and a lost signal only delays the sync to
// the polling channel's next run. At most one signal is in flight; those that come meanwhile become one
// more after it.
import type { Logger } from '@cht-openmrs/common';

export interface SignalTarget {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs?: number;
}

export class SyncSignal {
  private inFlight = false;
  private again = false;

  constructor(
    private readonly target: SignalTarget | undefined,
    private readonly logger: Logger,
  ) {}

  /** Something was stored: ask for a sync. Returns at once. */
  notify(): void {
    if (!this.target) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    void this.send(this.target).finally(() => {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        this.notify();
      }
    });
  }

  private async send({ url, username, password, timeoutMs = 5000 }: SignalTarget): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (username !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: '{}',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      if (!response.ok)
        this.logger.warn({ url, status: response.status }, 'sync signal refused; the next poll syncs');
    } catch (error) {
      this.logger.warn({ url, error: String(error) }, 'sync signal not delivered; the next poll syncs');
    }
  }
}
