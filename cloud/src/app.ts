import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { ErrorBody, Health, Readiness } from '../../src-core/contracts/cloud-api';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { DEFAULT_LIMITS, LIMIT_NAMES, enforceLimit, type CloudContext, type LimitName } from './context';
import { ConnectorHub } from './connector/hub';
import { registerConnectorRoute } from './connector/route';
import { migrateToLatest, openDatabase } from './db/database';
import { resealTotpSecrets } from './db/reseal';
import { ApiError, apiError, errors } from './errors';
import {
  answerClientError,
  documentEveryRoute,
  fixNullableSiblings,
  refuseHostileInput,
} from './http/boundary';
import { setSecurityHeaders } from './http/security-headers';
import { outboxMailer, smtpMailer, type Mailer } from './mail/mailer';
import { startErrorReporter, type ErrorReporter } from './observability/error-reporting';
import { Metrics, instrumentHttp, routeLabel } from './observability/metrics';
import { REQUEST_ID_HEADER, requestIdFor } from './observability/request-id';
import { authRoutes } from './routes/auth/index';
import { connectionRoutes } from './routes/connections/index';
import { ConnectionListCache } from './routes/connections/list-cache';
import { registerPages } from './routes/pages/index';
import { syncRoutes, type SyncOptions } from './routes/sync/index';
import { tradingRoutes } from './routes/trading/index';
import { AccessTokens } from './security/access-tokens';
import { Keys } from './security/crypto';
import { DEFAULT_ARGON2, PasswordHasher, type Argon2Params } from './security/passwords';
import { RateLimiter, type LimitRule } from './security/rate-limiter';
import { SessionGate } from './security/session-gate';
import { AccountService } from './services/accounts';
import { AuditLog } from './services/audit';

export interface BuildOptions {
  readonly config: Config;
  /** Time for tokens, sessions, reset links and the in-memory limiter (tests move it). */
  readonly clock?: Clock;
  /** argon2id cost; tests may lower it. Production uses {@link DEFAULT_ARGON2}. */
  readonly argon2?: Argon2Params;
  /** Overrides of individual limits. */
  readonly limits?: Partial<Record<LimitName, Partial<Omit<LimitRule, 'name'>>>>;
  /** Minimum forgot-password answer time in ms (default 250). */
  readonly forgotPasswordFloorMs?: number;
  /** Connector ping interval in ms (default 30 s). */
  readonly heartbeatMs?: number;
  /** Logger options (e.g. a `stream` to capture); the redaction and the request serializer always apply. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Replace the mailer built from SMTP_URL (rarely needed: tests use a real SMTP server). */
  readonly mailer?: Mailer;
  /** Folder of the portal build (default cloud/portal/dist). */
  readonly portalDist?: string;
  /** Run migrations at start (default true). */
  readonly migrate?: boolean;
  /** Cloud sync timings (remote order wait, live stream keep-alive); tests shorten them. */
  readonly sync?: SyncOptions;
  /**
   * Remember verified tokens, and live sessions while Redis confirms them (default true; docs/security.md,
   * "Session checks and revocation"). The cloud bench switches it off to measure what it saves.
   */
  readonly authCache?: boolean;
}

/** The token of an `Authorization: Bearer …` header, or null. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
  return match?.[1] ?? null;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'body.password', 'body.new_password'];

/**
 * Keeps query keys and drops their values, e.g. `/reset-password?token=[redacted]`: a reset link's token (or any
 * other secret in a URL) must never reach the log, where anyone who reads logs could take the account over.
 */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const pairs = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const key = pair.split('=', 1)[0] ?? '';
      // A bare value (`?SECRET`) or an odd key could itself be the secret.
      return pair.includes('=') && /^[A-Za-z0-9_.-]{1,40}$/.test(key) ? `${key}=[redacted]` : '[redacted]';
    });
  return `${url.slice(0, at)}?${pairs.join('&')}`;
}

/** Fastify's request log line, with the query values redacted. */
const LOG_SERIALIZERS = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactQuery(request.url),
    host: request.host,
    remoteAddress: request.ip,
    ...(request.socket.remotePort === undefined ? {} : { remotePort: request.socket.remotePort }),
  }),
};

function loggerOptions(
  config: Config,
  override: BuildOptions['logger'],
): NonNullable<FastifyServerOptions['logger']> {
  if (override === false) return false;
  const given = override === undefined || override === true ? { level: config.logLevel } : override;
  return {
    ...given,
    redact: REDACT,
    serializers: { ...given.serializers, ...LOG_SERIALIZERS },
  };
}

/**
 * Builds the cloud app without listening (Fastify's factory pattern; tests call this, `server.ts` listens).
 * Routes under `/api/v1` are zod-typed plugins; more areas (e.g. sync) register the same way with
 * `app.register(plugin, { prefix: '/api/v1/…' })` and reach shared services through `app.cloud`.
 */
export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const hops = config.trustProxyHops;
  const serverOptions: FastifyServerOptions = {
    logger: loggerOptions(config, options.logger),
    bodyLimit: config.bodyLimit,
    // Only the configured number of proxy hops may set the client address (the key of per-address limits).
    trustProxy: hops > 0 ? (_address: string, hop: number) => hop < hops : false,
    // Long enough for slow clients, short enough that idle sockets do not pile up.
    requestTimeout: 30_000,
    return503OnClosing: true,
    // One id per request in every log line (`request_id`), in the response and in connector frames.
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    genReqId: (request) => requestIdFor(request.headers[REQUEST_ID_HEADER], hops > 0),
    // Malformed percent-encoding in the path: the project's error shape, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      const apiErr =
        error.code === 'FST_ERR_BAD_URL'
          ? apiError('validation_failed', 'The URL is not valid: it has a malformed percent-encoding.', {
              location: 'url',
            })
          : apiError('validation_failed', 'The request could not be read.');
      void (reply as FastifyReply)
        .code(apiErr.statusCode)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(apiErr.toBody()));
    },
    // Node answers headers over 16 KB (and other unreadable requests) before any route: in our shape too.
    clientErrorHandler: answerClientError,
  };
  const app = Fastify(serverOptions).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // First hook of all, so even a request refused at the boundary answers with its id.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  const db = openDatabase(config.databaseUrl, app.log);
  const keys = new Keys({
    jwtSecret: config.jwtSecret,
    totpSealingKey: config.totpSealingKey,
    totpSealingKeyPrevious: config.totpSealingKeyPrevious,
    legacyJwtSecret: config.totpLegacyJwtSecret ?? config.jwtSecret,
  });
  if (options.migrate !== false) {
    await migrateToLatest(db);
    const resealed = await resealTotpSecrets(db.kysely, keys);
    if (resealed > 0) app.log.info({ resealed }, 'TOTP secrets re-sealed with TOTP_SEALING_KEY');
  }

  const redis =
    config.redisUrl === undefined
      ? undefined
      : new Redis(config.redisUrl, {
          // Fail fast: no queue while disconnected, short timeouts, so the limiter falls back at once.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 1_000,
          commandTimeout: 500,
          retryStrategy: (times) => Math.min(times * 200, 2_000),
          lazyConnect: false,
        });
  redis?.on('error', () => undefined); // state changes are logged by the limiter
  if (redis !== undefined) {
    // Give Redis a moment at start so the first requests count in the shared window, not in memory.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', done);
      redis.once('error', done);
    });
  }

  const limits = Object.fromEntries(
    LIMIT_NAMES.map((name) => [name, { name, ...DEFAULT_LIMITS[name], ...options.limits?.[name] }]),
  ) as Record<LimitName, LimitRule>;

  const pending = new Set<Promise<unknown>>();
  const metrics = new Metrics();
  const errorReporter = await startErrorReporter(config.errorReporting, app.log);
  const mailer =
    options.mailer ??
    (config.smtpUrl === undefined
      ? outboxMailer(join(config.dataDir, 'outbox'), config.mailFrom, app.log)
      : smtpMailer(config.smtpUrl, config.mailFrom));
  const ctx: CloudContext = {
    config,
    clock,
    db,
    keys,
    hasher: new PasswordHasher(options.argon2 ?? DEFAULT_ARGON2, config.hashConcurrency),
    accessTokens: new AccessTokens(
      keys.jwt,
      config.publicUrl,
      config.accessTokenTtlSec,
      clock,
      options.authCache !== false,
    ),
    sessionGate:
      redis === undefined || options.authCache === false
        ? SessionGate.disabled()
        : SessionGate.withRedis(redis, config.redisKeyPrefix),
    connectionLists: new ConnectionListCache(
      redis,
      config.redisKeyPrefix,
      options.authCache !== false,
      app.log,
    ),
    limiter: new RateLimiter(redis, config.redisKeyPrefix, clock, app.log),
    mailer: {
      send: (message) => metrics.trackMail(mailer.send(message)),
      close: () => {
        mailer.close();
      },
    },
    audit: new AuditLog(db.kysely, clock, app.log),
    hub: new ConnectorHub(app.log, options.heartbeatMs ?? 30_000, metrics),
    log: app.log,
    limits,
    probes: { syncBus: () => 'local', revocations: () => 'local' },
    metrics,
    errors: errorReporter,
    forgotPasswordFloorMs: options.forgotPasswordFloorMs ?? 250,
    background(task, what) {
      const tracked = task.catch((error: unknown) => {
        app.log.error({ err: error }, `${what} failed`);
        errorReporter.capture(error, { task: what });
      });
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };
  metrics.observe({ connectorSockets: () => ctx.hub.size, limiter: () => ctx.limiter.degradation(), db });
  instrumentHttp(app, metrics);
  const accounts = new AccountService(ctx);
  // The dummy hash used for unknown emails is made now, so the first such login costs what a real one does.
  ctx.background(ctx.hasher.verifyDummy('warm-up'), 'dummy hash warm-up');
  app.decorate('cloud', ctx);
  app.decorateRequest('auth', null);
  app.decorateRequest('sessionRead', null);
  app.decorateRequest('listRead', null);
  app.decorate('authenticate', async (request) => {
    const token = bearerToken(request.headers.authorization);
    // Used once: a later check on the same request (the live stream's keep-alive) must read Redis afresh.
    const prefetched = request.sessionRead;
    request.sessionRead = null;
    const auth = token === null ? null : await accounts.authenticate(token, prefetched);
    if (auth === null) throw errors.unauthorized();
    request.auth = auth;
  });

  app.addHook('onClose', async () => {
    ctx.hub.closeAll();
    await Promise.allSettled([...pending]);
    ctx.mailer.close();
    if (redis !== undefined)
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    await db.close();
    // Last, so failures of the steps above are still sent.
    await errorReporter.close();
  });

  setErrorHandling(app, metrics, errorReporter);
  // JSON only: without this, a text/plain body would reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body reads as `{}` (e.g. logout, whose fields are all optional); a route that needs fields
  // names the missing ones. Anything else goes through Fastify's own parser (prototype-poisoning checks
  // included).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.toString().trim() === '') {
      done(null, {});
      return;
    }
    void parseJson(request, body.toString(), done);
  });
  refuseHostileInput(app);
  documentEveryRoute(app);

  setSecurityHeaders(app, {
    // The API answers JSON; pages are ours and load no third-party content. Swagger UI sets its own CSP.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        // Over plain HTTP (development) an upgrade directive would break every subresource.
        upgradeInsecureRequests: config.publicUrl.startsWith('https://') ? [] : null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: config.publicUrl.startsWith('https://') ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  await app.register(fastifyCors, {
    origin: new URL(config.publicUrl).origin,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
    credentials: false,
    maxAge: 600,
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Pipdesk cloud API', version: '1.0.0', license: { name: 'Proprietary' } },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) =>
      fixNullableSiblings('openapiObject' in documentObject ? documentObject.openapiObject : {}),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(fastifyWebsocket, { options: { maxPayload: 1_048_576 } });

  // The global per-address limit; probes are exempt so a load balancer never gets 429. For a token this
  // instance has verified before, its session's mark (security/session-gate.ts) and, on the connection list,
  // its user's list version (routes/connections/list-cache.ts) are read in the same Redis round trip: one
  // round trip per authenticated request, and none to the database when both are remembered.
  app.addHook('onRequest', async (request) => {
    const path = request.url;
    if (path === '/healthz' || path === '/readyz') return;
    const token = bearerToken(request.headers.authorization);
    const claims = token === null ? null : ctx.accessTokens.known(token);
    const session = claims === null ? null : ctx.sessionGate.beginRead(claims.sid);
    const list =
      claims === null || request.routeOptions.config.readsConnectionList !== true
        ? null
        : ctx.connectionLists.beginRead(claims.sub);
    const sessionKeys = session?.keys ?? [];
    const values = await enforceLimit(ctx, 'global_ip', request.ip, { ip: request.ip }, [
      ...sessionKeys,
      ...(list?.keys ?? []),
    ]);
    if (session !== null) request.sessionRead = session.finish(values?.slice(0, sessionKeys.length) ?? null);
    if (list !== null) request.listRead = list.finish(values?.slice(sessionKeys.length) ?? null);
  });

  app.get(
    '/healthz',
    // 400: the boundary refuses hostile input (a NUL in the query) on every route, probes included.
    { schema: { tags: ['health'], summary: 'Liveness probe', response: { 200: Health, 400: ErrorBody } } },
    () => ({
      status: 'ok' as const,
    }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness probe: database, Redis and the relays between instances',
        response: { 200: Readiness, 400: ErrorBody, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const isDbUp = await db.ping();
      const redisState: Readiness['redis'] =
        redis === undefined ? 'memory' : redis.status === 'ready' ? 'up' : 'down';
      const body: Readiness = {
        status: !isDbUp
          ? ('unavailable' as const)
          : redisState === 'down'
            ? ('degraded' as const)
            : ('ready' as const),
        database: isDbUp ? 'up' : 'down',
        redis: redisState,
        rate_limiter: ctx.limiter.backend,
        revocations: ctx.probes.revocations(),
        sync_bus: ctx.probes.syncBus(),
      };
      if (body.status === 'ready' && (body.revocations === 'retrying' || body.sync_bus === 'down')) {
        body.status = 'degraded';
      }
      return reply.code(isDbUp ? 200 : 503).send(body);
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(authRoutes(accounts), { prefix: '/api/v1/auth' });
  await app.register(connectionRoutes, { prefix: '/api/v1/connections' });
  await app.register(syncRoutes(options.sync), { prefix: '/api/v1/connections' });
  await app.register(tradingRoutes, { prefix: '/api/v1/trading' });
  registerConnectorRoute(app, accounts);
  await registerPages(app, options.portalDist);

  await app.ready();
  return app;
}

/** The one error handler: coded errors as they are, validation as `validation_failed`, the rest as `internal`. */
function setErrorHandling(app: FastifyInstance, metrics: Metrics, errorReporter: ErrorReporter): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let apiErr: ApiError;
    if (error instanceof ApiError) {
      apiErr = error;
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      apiErr = apiError('validation_failed', 'The request is invalid.', {
        location: error.validationContext ?? 'body',
        issues: error.validation.map((v) => ({
          path: v.instancePath.replace(/^\//, '').replace(/\//g, '.'),
          message: v.message ?? 'invalid',
        })),
      });
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      apiErr = apiError('payload_too_large', 'The request body is too large.');
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      apiErr = apiError('unsupported_media_type', 'Send JSON (content-type: application/json).');
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors (malformed JSON, empty body…): their messages carry no internals.
      apiErr =
        error.statusCode === 404
          ? apiError('not_found', 'Not found.')
          : apiError('validation_failed', error.message.slice(0, 200));
    } else {
      request.log.error({ err: error }, 'unhandled error');
      // Only the unexpected: client errors (4xx) above are the caller's, not a fault to report.
      errorReporter.captureRequestError(error, request);
      apiErr = apiError('internal', 'Something went wrong on our side. Try again later.');
    }
    metrics.httpErrors.inc({ route: routeLabel(request.routeOptions.url), code: apiErr.code });
    if (apiErr.headers !== undefined) void reply.headers(apiErr.headers);
    return reply.code(apiErr.statusCode).send(apiErr.toBody());
  });
}
