import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ProjectionLag } from '@app/projections';

/** Prometheus metrics of one service instance: HTTP traffic and the event store's group commits. */
export class Metrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly appends = new Counter({
    name: 'event_store_appends_total',
    help: 'Appends committed to the event store',
    registers: [this.registry],
  });

  private readonly events = new Counter({
    name: 'event_store_events_total',
    help: 'Events committed to the event store',
    registers: [this.registry],
  });

  private readonly groupSize = new Histogram({
    name: 'event_store_group_commit_appends',
    help: 'Appends committed together in one transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  private readonly projected = new Counter({
    name: 'projection_events_total',
    help: 'Events applied to the read models by this instance',
    registers: [this.registry],
  });

  private readonly projectionDelay = new Histogram({
    name: 'projection_delay_seconds',
    help: 'From an event being recorded to the read models having applied it',
    buckets: [
      0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.125, 0.15, 0.175, 0.2,
      0.25, 0.5, 1, 2.5, 5, 10,
    ],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  observeCommit(appends: number, events: number): void {
    this.appends.inc(appends);
    this.events.inc(events);
    this.groupSize.observe(appends);
  }

  /** A batch of events the read models applied at `appliedAt`, with the instants they were recorded (epoch ms). */
  observeProjected(recordedAt: readonly number[], appliedAt: number): void {
    this.projected.inc(recordedAt.length);
    for (const instant of recordedAt) this.projectionDelay.observe(Math.max(0, appliedAt - instant) / 1000);
  }

  /** Lag gauges read from the database at every scrape, so any instance reports the leader's progress. */
  reportProjectionLag(measure: () => Promise<ProjectionLag[]>): void {
    let latest: Promise<ProjectionLag[]> | undefined;
    const lagOf = async (pick: (lag: ProjectionLag) => number) => {
      latest ??= measure().finally(() => setTimeout(() => (latest = undefined), 100));
      return (await latest).map((lag) => ({ projection: lag.name, value: pick(lag) }));
    };
    const gauge = (name: string, help: string, pick: (lag: ProjectionLag) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        async collect() {
          for (const { projection, value } of await lagOf(pick)) this.set({ projection }, value);
        },
      });
    gauge('projection_lag_events', 'Events recorded that the projection has not applied yet', (lag) => Number(lag.events));
    gauge('projection_lag_seconds', 'Age of the oldest event the projection has not applied yet', (lag) => lag.milliseconds / 1000);
  }

  reportLeadership(isLeader: () => boolean): void {
    new Gauge({
      name: 'projection_runner_leader',
      help: "1 when this instance's projection runner is the one applying events",
      registers: [this.registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
  }

  /** Events some reader could not fold and set aside, read at every scrape: alert on any. */
  reportQuarantine(measure: () => Promise<number>): void {
    new Gauge({
      name: 'events_quarantined',
      help: 'Events in the log that a reader could not fold, and skipped (GET /quarantine)',
      registers: [this.registry],
      async collect() {
        this.set(await measure());
      },
    });
  }

  /** The outbox's mail waiting and failed, read at every scrape: alert on mail that waits too long. */
  reportMail(measure: () => Promise<{ pending: number; failed: number }>): void {
    for (const state of ['pending', 'failed'] as const) {
      new Gauge({
        name: `mail_${state}`,
        help: state === 'pending' ? 'Mail in the outbox not yet sent' : 'Mail the server refused for good',
        registers: [this.registry],
        async collect() {
          this.set((await measure())[state]);
        },
      });
    }
  }
}
