import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}
