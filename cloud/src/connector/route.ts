import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CONNECTOR_CLOSE } from '../../../src-core/contracts/connector';
import type { AccountService } from '../services/accounts';
import type { Held } from './hub';
import { RedisRevocationRelay, databaseVerifier } from './revocation';

const CONNECTION_ID = /^[0-9a-f-]{36}$/i;

/**
 * `WS /ws/connector?connection_id=…` with `Authorization: Bearer <access token>`. The upgrade is always
 * accepted and the verdict sent as a close code (4001 bad token, 4003 not the caller's connection), because a
 * refusal before the upgrade could only be an HTTP status. Every attempt writes an audit row. A socket lives
 * only as long as its session: revocations close it on every instance (Redis pub/sub), and each heartbeat
 * re-checks the session and the connection in the database in case a revocation message was missed.
 */
export function registerConnectorRoute(app: FastifyInstance, accounts: AccountService): void {
  const { hub, audit, config, db } = app.cloud;
  const allowedOrigin = new URL(config.publicUrl).origin;

  hub.setVerifier(databaseVerifier(db.kysely, app.cloud.clock));
  if (config.redisUrl !== undefined) {
    const relay = new RedisRevocationRelay(
      config.redisUrl,
      config.redisKeyPrefix,
      (revocation) => hub.closeRevoked(revocation),
      app.cloud.log,
    );
    hub.setRevocationRelay(relay);
    app.cloud.probes.revocations = () => relay.state;
    app.addHook('onReady', () => relay.ready);
    app.addHook('onClose', () => relay.close());
  }

  app.get(
    '/ws/connector',
    { websocket: true, schema: { hide: true } },
    (socket: WebSocket, request: FastifyRequest) => {
      // Frames that arrive while the token is checked are kept, then handled in order (listeners must be
      // attached synchronously or ws drops them).
      const early: { data: RawData; isBinary: boolean }[] = [];
      let held: Held | undefined;
      let chain: Promise<void> = Promise.resolve();
      socket.on('message', (data: RawData, isBinary: boolean) => {
        if (held === undefined) {
          if (early.length < 100) early.push({ data, isBinary });
          return;
        }
        const target = held;
        chain = chain.then(() => hub.receive(target, data, isBinary));
      });

      const query = request.query as Record<string, unknown>;
      const connectionId = typeof query['connection_id'] === 'string' ? query['connection_id'] : '';
      const header = request.headers.authorization ?? '';
      const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header)?.[1];
      const origin = request.headers.origin;

      const refuse = async (
        code: number,
        reason: string,
        result: string,
        userId: string | null,
      ): Promise<void> => {
        await audit.write({
          event: 'connector.connect',
          result,
          userId,
          connectionId: connectionId === '' ? null : connectionId.slice(0, 64),
          ip: request.ip,
        });
        socket.close(code, reason);
      };

      void (async () => {
        const auth = token === undefined ? null : await accounts.authenticate(token);
        if (auth === null) {
          await refuse(
            CONNECTOR_CLOSE.UNAUTHORIZED,
            'unauthorized',
            token === undefined ? 'refused_no_token' : 'refused_bad_token',
            null,
          );
          return;
        }
        // Browsers send Origin; the desktop connector does not. A browser page elsewhere may not ride a token.
        if (origin !== undefined && origin !== allowedOrigin) {
          await refuse(CONNECTOR_CLOSE.FORBIDDEN, 'forbidden', 'refused_origin', auth.userId);
          return;
        }
        const owned = CONNECTION_ID.test(connectionId)
          ? await db.kysely
              .selectFrom('connections')
              .select('id')
              .where('id', '=', connectionId)
              .where('user_id', '=', auth.userId)
              .executeTakeFirst()
          : undefined;
        if (owned === undefined) {
          await refuse(CONNECTOR_CLOSE.FORBIDDEN, 'forbidden', 'refused_not_owner', auth.userId);
          return;
        }
        if (socket.readyState !== socket.OPEN) return;
        await audit.write({
          event: 'connector.connect',
          result: 'accepted',
          userId: auth.userId,
          connectionId,
          ip: request.ip,
        });
        const accepted = hub.attach(
          {
            connectionId,
            userId: auth.userId,
            sessionId: auth.sessionId,
            ip: request.ip,
            connectedAt: app.cloud.clock.now(),
            requestId: request.id,
          },
          socket,
        );
        held = accepted;
        request.log.info({ connectionId }, 'connector attached');
        for (const frame of early.splice(0)) {
          chain = chain.then(() => hub.receive(accepted, frame.data, frame.isBinary));
        }
      })().catch((error: unknown) => {
        request.log.error({ err: error }, 'connector handshake failed');
        socket.close(1011, 'internal error');
      });
    },
  );
}
