import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorCommand } from '../../src-core/contracts/connector';
import { ManualClock } from '../src/clock';
import type { Mailer } from '../src/mail/mailer';
import { startMetricsServer, type MetricsServer } from '../src/observability/metrics-server';
import { asFrame, makeEntry, TestConnector, userWithConnection } from '../src/routes/sync/testing/test-kit';
import { parseExposition, type Exposition } from './exposition';
import { buildTestApp, createTestDatabase, freePort, SpareRedis, tempDir, testConfig } from './helpers';

// /metrics scraped over real HTTP from its own listener and read with a strict parser of the exposition format:
// per-route request counts, latency and errors, limiter decisions, connector sockets and frames, sync lag,
// relay latency, mail outbox depth and the PostgreSQL pool (absent on SQLite), and the limiter's degraded time.

/** A mailer whose sends wait until the test lets them go (or fail), so the outbox depth can be seen. */
function heldMailer(): Mailer & { release: (error?: Error) => void } {
  const held: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    send: () => new Promise<void>((resolve, reject) => held.push({ resolve, reject })),
    close: () => undefined,
    release(error) {
      for (const h of held.splice(0)) {
        if (error === undefined) h.resolve();
        else h.reject(error);
      }
    },
  };
}

async function scrape(server: MetricsServer): Promise<Exposition> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describe('/metrics on PostgreSQL', () => {
  const dir = tempDir();
  const clock = new ManualClock(1_800_000_000_000);
  const mailer = heldMailer();
  let app: FastifyInstance;
  let metrics: MetricsServer;
  let base: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await createTestDatabase('postgres', dir.path);
    drop = db.drop;
    app = await buildTestApp({
      config: testConfig({ dataDir: dir.path, databaseUrl: db.url }),
      clock,
      mailer,
      limits: { login_ip: { limit: 2 } },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    metrics = await startMetricsServer(app.cloud.metrics.registry, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await metrics.close();
    await app.close();
    await drop();
    dir.remove();
  });

  it('listens on loopback apart from the API, and serves nothing else', async () => {
    expect(metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metrics.url).port).not.toBe(new URL(base).port);
    expect((await fetch(metrics.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metrics.url, { method: 'POST' })).status).toBe(404);
    // The public port has no /metrics: 404, or the portal's page when the portal is built (its client-side
    // router owns unknown GETs outside the API), never the figures.
    const publicAnswer = await fetch(`${base}/metrics`);
    expect(publicAnswer.headers.get('content-type') ?? '').not.toContain('text/plain');
    expect(await publicAnswer.text()).not.toContain('pipdesk_http_requests_total');
  });

  it('counts requests, latency and errors per route pattern, never per raw URL', async () => {
    const user = await userWithConnection(app);
    const unmatchedBefore =
      (await scrape(metrics)).value('pipdesk_http_requests_total', {
        route: 'unmatched',
        status_code: '404',
      }) ?? 0;
    const missing = '00000000-0000-4000-8000-000000000000';
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${base}/api/v1/connections/${missing}`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(res.status).toBe(404);
    }
    // Under /api so that a built portal's client-side routes do not answer it.
    expect((await fetch(`${base}/api/v1/no/such/${missing}`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const m = await scrape(metrics);
    expect(m.types.get('pipdesk_http_requests_total')).toBe('counter');
    expect(m.types.get('pipdesk_http_request_duration_seconds')).toBe('histogram');
    const route = '/api/v1/connections/:id';
    expect(m.value('pipdesk_http_requests_total', { method: 'GET', route, status_code: '404' })).toBe(3);
    expect(m.value('pipdesk_http_errors_total', { route, code: 'not_found' })).toBe(3);
    expect(m.value('pipdesk_http_request_duration_seconds_count', { method: 'GET', route })).toBe(3);
    expect(
      m.value('pipdesk_http_request_duration_seconds_bucket', { method: 'GET', route, le: '+Inf' }),
    ).toBe(3);
    expect(m.value('pipdesk_http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(
      unmatchedBefore + 1,
    );
    expect(m.value('pipdesk_http_requests_total', { route: '/healthz', status_code: '200' })).toBe(1);
    // No label anywhere holds an id or a raw path.
    expect(m.samples.filter((s) => Object.values(s.labels).some((v) => v.includes(missing)))).toEqual([]);
  });

  it('counts limiter decisions by limit', async () => {
    const login = (): Promise<Response> =>
      fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password here' }),
      });
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(429);
    const m = await scrape(metrics);
    expect(m.value('pipdesk_rate_limit_decisions_total', { limit: 'login_ip', decision: 'allowed' })).toBe(2);
    expect(m.value('pipdesk_rate_limit_decisions_total', { limit: 'login_ip', decision: 'refused' })).toBe(1);
    expect(m.value('pipdesk_http_errors_total', { route: '/api/v1/auth/login', code: 'rate_limited' })).toBe(
      1,
    );
    expect(m.value('pipdesk_rate_limiter_degraded')).toBe(0);
    expect(m.value('pipdesk_rate_limiter_degraded_seconds_total')).toBe(0);
  });

  it('reports connector sockets, frames, sync lag and the relay round trip of a remote order', async () => {
    const user = await userWithConnection(app, '7001');
    const connector = await TestConnector.open(base, user.token, user.connectionId);
    expect((await scrape(metrics)).value('pipdesk_connector_sockets')).toBe(1);

    // Entries 5 s and 2 min old by the cloud's clock, and one the cloud refuses.
    connector.send({
      type: 'journal',
      entries: [
        asFrame(makeEntry({ updatedAt: clock.now() - 5_000 })),
        asFrame(makeEntry({ updatedAt: clock.now() - 120_000 })),
        { id: 'bad\u0000id' },
      ],
    });
    const ack = await connector.next((msg) => msg.type === 'ack');
    expect(ack).toMatchObject({ type: 'ack', refused: [{ index: 2 }] });

    connector.send({ type: 'settings', remote_trading: true });
    const pending = fetch(`${base}/api/v1/connections/${user.connectionId}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        request_key: 'metrics-order-1',
        intent: { operation: 'open_market', input: { symbol: 'EURUSD', side: 'buy', volume: 0.1 } },
      }),
    });
    const command = await connector.next((msg): msg is ConnectorCommand => msg.type === 'command');
    connector.send({
      type: 'command_result',
      id: command.id,
      status: 'done',
      result: {
        ok: true,
        code: null,
        message: 'Bought 0.10 EURUSD at 1.08512',
        client_order_id: 'PD00000001',
        entry_id: 'e-1',
        retcode: 10009,
        order: '5000001',
        deal: '6000001',
        position: '5000001',
        volume: 0.1,
        price: 1.08512,
        duplicate: false,
      },
    });
    expect((await pending).status).toBe(200);

    const m = await scrape(metrics);
    expect(m.value('pipdesk_sync_lag_seconds_count')).toBe(2);
    expect(m.value('pipdesk_sync_lag_seconds_sum')).toBe(125);
    expect(m.value('pipdesk_sync_lag_seconds_bucket', { le: '5' })).toBe(1);
    expect(m.value('pipdesk_sync_lag_seconds_bucket', { le: '300' })).toBe(2);
    expect(m.value('pipdesk_sync_journal_entries_total', { result: 'taken' })).toBe(2);
    expect(m.value('pipdesk_sync_journal_entries_total', { result: 'refused' })).toBe(1);
    expect(m.value('pipdesk_connector_frames_total', { type: 'journal' })).toBe(1);
    expect(m.value('pipdesk_connector_frames_total', { type: 'command_result' })).toBe(1);
    expect(m.value('pipdesk_relay_latency_seconds_count', { path: 'local' })).toBe(1);
    expect(m.value('pipdesk_remote_orders_total', { result: 'done' })).toBe(1);

    await connector.close();
    expect((await scrape(metrics)).value('pipdesk_connector_sockets')).toBe(0);
  });

  it('shows the mail outbox depth while a send is pending, then the result', async () => {
    const message = { to: 'someone@example.com', subject: 's', text: 't', html: '<p>t</p>' };
    const first = app.cloud.mailer.send(message);
    const second = app.cloud.mailer.send(message);
    expect((await scrape(metrics)).value('pipdesk_mail_outbox_depth')).toBe(2);
    mailer.release();
    await Promise.all([first, second]);
    const failing = app.cloud.mailer.send(message);
    mailer.release(new Error('relay down'));
    await expect(failing).rejects.toThrow('relay down');
    const m = await scrape(metrics);
    expect(m.value('pipdesk_mail_outbox_depth')).toBe(0);
    expect(m.value('pipdesk_mail_sent_total', { result: 'sent' })).toBe(2);
    expect(m.value('pipdesk_mail_sent_total', { result: 'failed' })).toBe(1);
  });

  it('reports the PostgreSQL pool and the process', async () => {
    const m = await scrape(metrics);
    expect(m.types.get('pipdesk_db_pool_connections')).toBe('gauge');
    expect(m.value('pipdesk_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(m.value('pipdesk_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(m.value('pipdesk_db_pool_errors_total')).toBe(0);
    expect(m.value('pipdesk_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('/metrics on SQLite with a Redis that goes away', () => {
  const dir = tempDir();
  const clock = new ManualClock(1_800_000_000_000);
  let redis: SpareRedis;
  let app: FastifyInstance;
  let metrics: MetricsServer;

  beforeAll(async () => {
    redis = new SpareRedis(await freePort());
    await redis.start();
    app = await buildTestApp({
      config: testConfig({
        dataDir: dir.path,
        databaseUrl: `sqlite:${dir.path}/cloud.db`,
        redisUrl: redis.url,
      }),
      clock,
    });
    metrics = await startMetricsServer(app.cloud.metrics.registry, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await metrics.close();
    await app.close();
    await redis.stop();
    dir.remove();
  });

  it('has no pool series on SQLite', async () => {
    const m = await scrape(metrics);
    expect(m.types.has('pipdesk_db_pool_connections')).toBe(false);
    expect(m.value('pipdesk_rate_limiter_degraded')).toBe(0);
  });

  it('reports degraded and counts the time spent counting in memory', async () => {
    await redis.stop();
    // The first request after Redis went away falls back to memory (and is still answered).
    expect((await app.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    clock.advance(30_000);
    const m = await scrape(metrics);
    expect(m.value('pipdesk_rate_limiter_degraded')).toBe(1);
    expect(m.value('pipdesk_rate_limiter_degraded_seconds_total')).toBe(30);
    expect(m.value('pipdesk_rate_limit_decisions_total', { limit: 'global_ip', decision: 'allowed' })).toBe(
      1,
    );
  });
});
