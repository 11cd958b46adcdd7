import type { FastifyInstance } from 'fastify';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
} from 'prom-client';
import type { Db } from '../db/database';

/**
 * The cloud's Prometheus metrics (prom-client), one registry per app so tests can build several apps in one
 * process. Names and labels are listed in docs/operations.md ("Metrics"); cloud/deploy/alerts.yml uses them, and
 * a test checks that every alert names a metric defined here. Labels never hold a raw URL, an id, an email or an
 * address: the route label is Fastify's route pattern (`/api/v1/connections/:id`), so cardinality stays bounded.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly httpErrors: Counter<'route' | 'code'>;
  readonly limiterDecisions: Counter<'limit' | 'decision'>;
  readonly connectorFrames: Counter<'type'>;
  readonly relayLatency: Histogram<'path'>;
  readonly remoteOrders: Counter<'result'>;
  readonly syncLag: Histogram;
  readonly journalEntries: Counter<'result'>;
  readonly mailSent: Counter<'result'>;

  /** Mails handed to the mailer and not yet sent (or failed): the outbox depth. */
  private mailPending = 0;

  constructor() {
    const counter = <L extends string>(config: CounterConfiguration<L>): Counter<L> =>
      new Counter({ ...config, registers: [this.registry] });
    collectDefaultMetrics({ register: this.registry, prefix: 'pipdesk_' });
    this.httpRequests = counter({
      name: 'pipdesk_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
    });
    this.httpDuration = new Histogram({
      name: 'pipdesk_http_request_duration_seconds',
      help: 'Time from the request arriving to the response being sent, by route pattern.',
      labelNames: ['method', 'route'],
      // Around the p99 < 50 ms target of docs/benchmarks.md, and long enough to see argon2 logins (≈0.25–1.5 s).
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.httpErrors = counter({
      name: 'pipdesk_http_errors_total',
      help: 'Error answers by route pattern and error code (docs/errors.md); `internal` is a bug or an outage.',
      labelNames: ['route', 'code'],
    });
    this.limiterDecisions = counter({
      name: 'pipdesk_rate_limit_decisions_total',
      help: 'Rate-limit decisions by limit name (cloud/src/context.ts) and decision (allowed, refused).',
      labelNames: ['limit', 'decision'],
    });
    this.connectorFrames = counter({
      name: 'pipdesk_connector_frames_total',
      help: 'Frames received from desktop connectors, by message type (`invalid` when unreadable).',
      labelNames: ['type'],
    });
    this.relayLatency = new Histogram({
      name: 'pipdesk_relay_latency_seconds',
      help: "A remote order's round trip from the portal's request to the desktop's answer; path=local when this instance holds the socket, relay when it went through Redis.",
      labelNames: ['path'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [this.registry],
    });
    this.remoteOrders = counter({
      name: 'pipdesk_remote_orders_total',
      help: 'Remote orders by outcome (done, refused, offline, outcome_unknown, relay_unavailable, …).',
      labelNames: ['result'],
    });
    this.syncLag = new Histogram({
      name: 'pipdesk_sync_lag_seconds',
      help: "Age of a journal entry when the cloud stored it (now − the entry's at_ms): how far the portal trails the desktop.",
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 86_400],
      registers: [this.registry],
    });
    this.journalEntries = counter({
      name: 'pipdesk_sync_journal_entries_total',
      help: 'Journal entries received from connectors, by result (taken, refused).',
      labelNames: ['result'],
    });
    this.mailSent = counter({
      name: 'pipdesk_mail_sent_total',
      help: 'Emails handed to SMTP (or the outbox folder), by result (sent, failed).',
      labelNames: ['result'],
    });
    const pending = (): number => this.mailPending;
    new Gauge({
      name: 'pipdesk_mail_outbox_depth',
      help: 'Emails accepted and not yet sent: grows when the SMTP relay is slow or down.',
      registers: [this.registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /** Wraps a mail send so the outbox depth and the sent/failed counts follow it. */
  async trackMail(send: Promise<void>): Promise<void> {
    this.mailPending += 1;
    try {
      await send;
      this.mailSent.inc({ result: 'sent' });
    } catch (error) {
      this.mailSent.inc({ result: 'failed' });
      throw error;
    } finally {
      this.mailPending -= 1;
    }
  }

  /** Gauges read when Prometheus scrapes: sockets held, limiter state, database pool. */
  observe(sources: {
    readonly connectorSockets: () => number;
    readonly limiter: () => { readonly isDegraded: boolean; readonly degradedMs: number };
    readonly db: Db;
  }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'pipdesk_connector_sockets',
      help: 'Desktop connector WebSockets held by this instance.',
      registers,
      collect() {
        this.set(sources.connectorSockets());
      },
    });
    new Gauge({
      name: 'pipdesk_rate_limiter_degraded',
      help: '1 while Redis is configured but unreachable and limits are counted in memory on this instance.',
      registers,
      collect() {
        this.set(sources.limiter().isDegraded ? 1 : 0);
      },
    });
    new Counter({
      name: 'pipdesk_rate_limiter_degraded_seconds_total',
      help: 'Time spent counting limits in memory because Redis was unreachable, since start.',
      registers,
      collect() {
        // A counter that is read, not incremented: reset and set to the limiter's own running total.
        this.reset();
        this.inc(sources.limiter().degradedMs / 1000);
      },
    });
    // The pool exists only on PostgreSQL; SQLite has one connection and no pool, so these series are absent
    // there rather than reporting zeros that would look like an exhausted pool.
    if (sources.db.dialect === 'postgres') {
      new Gauge({
        name: 'pipdesk_db_pool_connections',
        help: 'PostgreSQL pool connections by state (total, idle, waiting = queries queued for a connection).',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = sources.db.poolStats();
          this.set({ state: 'total' }, stats.total);
          this.set({ state: 'idle' }, stats.idle);
          this.set({ state: 'waiting' }, stats.waiting);
        },
      });
      new Counter({
        name: 'pipdesk_db_pool_errors_total',
        help: 'Errors the PostgreSQL pool reported on idle connections since start.',
        registers,
        collect() {
          this.reset();
          this.inc(sources.db.poolErrors());
        },
      });
    }
  }
}

/** The route label of a request: Fastify's pattern, or `unmatched` for 404s so random paths add no series. */
export function routeLabel(pattern: string | undefined): string {
  return pattern === undefined || pattern === '' ? 'unmatched' : pattern;
}

/**
 * Counts every answered request by route pattern and times it. `onResponse` runs after the last byte, so the
 * duration is what the client waited (minus the network). Hijacked replies (the live event stream) are counted
 * when they end.
 */
export function instrumentHttp(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeLabel(request.routeOptions.url);
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status_code: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}
