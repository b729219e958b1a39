// Prometheus metrics of the sync: what each run did per stream, how long it took, what waits.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncReport } from './sync/run-sync';

export class SyncMetrics {
  readonly registry = new Registry();
  private readonly items = new Counter({
    name: 'cht_openmrs_sync_items_total',
    help: 'Items handled by the sync, by stream and outcome',
    labelNames: ['stream', 'outcome'],
    registers: [this.registry],
  });
  private readonly runs = new Counter({
    name: 'cht_openmrs_sync_runs_total',
    help: 'Sync runs, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'cht_openmrs_sync_run_seconds',
    help: 'Duration of sync runs',
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60],
    registers: [this.registry],
  });
  readonly queue = new Gauge({
    name: 'cht_openmrs_sync_queue',
    help: 'Retry queue items, by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly unplaced = new Gauge({
    name: 'cht_openmrs_sync_unplaced_patients',
    help: 'OpenMRS patients with no CHT place',
    registers: [this.registry],
  });

  record(report: SyncReport): void {
    this.runs.inc({
      outcome: report.outcome === 'skipped' ? 'skipped' : report.complete ? 'complete' : 'incomplete',
    });
    if (report.outcome === 'skipped') return;
    this.duration.observe(report.durationMs / 1000);
    this.unplaced.set(report.unplaced);
    for (const [stream, counts] of Object.entries(report.streams)) {
      for (const outcome of ['created', 'updated', 'skipped', 'waiting', 'failed'] as const) {
        if (counts[outcome] > 0) this.items.inc({ stream, outcome }, counts[outcome]);
      }
    }
  }
}
