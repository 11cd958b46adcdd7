import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorBody, IdParams } from '../../../../src-core/contracts/cloud-api';
import {
  ConnectionStatus,
  PLACE_ORDER_COMMAND,
  RemoteOrderRequest,
  RemoteOrderResponse,
  RemoteOrderResult,
  SyncJournalPage,
  SyncJournalQuery,
  TRADE_JOURNAL_KIND,
  toSyncedJournalEntry,
  type LiveEvent,
} from '../../../../src-core/contracts/cloud-sync';
import type {
  ConnectorCommand,
  ConnectorCommandResult,
  RefusedEntry,
  StatusSnapshot,
} from '../../../../src-core/contracts/connector';
import { JournalEntry } from '../../../../src-core/contracts/journal';
import { apiError, errors } from '../../errors';
import { BusUnavailableError, LocalBus, RedisBus, type SyncBus } from './bus';
import { SyncStore, type SyncTables } from './store';

export interface SyncOptions {
  /** How long a remote order waits for the desktop before answering "outcome unknown" (default 15 s). */
  readonly orderTimeoutMs?: number;
  /** Keep-alive comment interval of the live stream; the caller's token is re-checked each time (default 15 s). */
  readonly keepAliveMs?: number;
  /** Least time between stored status snapshots of one connection; live events are not throttled (default 2 s). */
  readonly statusWriteIntervalMs?: number;
}

const bearer = [{ bearerAuth: [] }];
const failures = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

type Reply = ConnectorCommandResult | 'timeout';

/**
 * Cloud sync (docs/cloud-sync.md), under `/api/v1/connections`: takes journal entries and status snapshots from the
 * connector hub, serves the journal and live status to the portal, and relays remote orders to the instance
 * that holds the desktop's socket. Every route checks ownership with the connection routes' own rule: a
 * connection that is not the caller's is "not found".
 */
export function syncRoutes(options: SyncOptions = {}): FastifyPluginAsyncZod {
  const orderTimeoutMs = options.orderTimeoutMs ?? 15_000;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const statusWriteIntervalMs = options.statusWriteIntervalMs ?? 2_000;

  return async (app) => {
    const { hub, clock, config, audit, log, metrics } = app.cloud;
    const store = new SyncStore(app.cloud.db.kysely.withTables<SyncTables>());
    const instanceId = randomUUID();
    const onBusError = (error: unknown, what: string): void => {
      if (error === undefined) log.info(`sync relay: ${what}`);
      else log.warn({ err: error }, `sync relay: ${what}`);
    };
    const bus: SyncBus =
      config.redisUrl === undefined
        ? new LocalBus(instanceId)
        : await RedisBus.connect(config.redisUrl, config.redisKeyPrefix, instanceId, onBusError);
    app.cloud.probes.syncBus = () => bus.health;

    /** Remote orders sent from this instance, waiting for the desktop's answer. */
    const waiters = new Map<string, { connectionId: string; resolve: (reply: Reply) => void }>();
    /** Commands this instance passed to a socket it holds: where to send the answer. */
    const origins = new Map<string, { origin: string; connectionId: string }>();
    const remoteTrading = new Map<string, boolean>();
    const lastStatusWrite = new Map<string, number>();
    const streams = new Set<ServerResponse>();

    const publish = (connectionId: string, event: LiveEvent): void => {
      void bus.publishEvent(connectionId, event);
    };

    async function currentStatus(connectionId: string): Promise<ConnectionStatus> {
      const stored = await store.status(connectionId);
      const live = hub.lastStatus(connectionId);
      const isHere = hub.isConnected(connectionId);
      const snapshot = live === undefined ? stored.snapshot : withoutType(live);
      const presence = isHere ? 'here' : await bus.presence(connectionId);
      if (presence === 'unknown') throw relayUnavailable();
      return {
        connection_id: connectionId,
        online: presence === 'here' || presence === 'elsewhere',
        remote_trading: isHere
          ? (remoteTrading.get(connectionId) ?? stored.remoteTrading)
          : stored.remoteTrading,
        last_seen_at: iso(stored.lastSeenAt),
        snapshot,
      };
    }

    // ---- the connector hub's extension points ----

    hub.onJournal(async (peer, entries) => {
      const taken: JournalEntry[] = [];
      const refused: RefusedEntry[] = [];
      for (const { index, entry: item } of entries) {
        if (item.kind !== TRADE_JOURNAL_KIND) {
          // Perhaps from a newer desktop: not refused for good, not acknowledged either, so the desktop keeps
          // it for a cloud that knows the kind. The log says why.
          log.warn(
            { connectionId: peer.connectionId, entryId: item.id, kind: item.kind },
            'sync: journal entry of an unknown kind kept waiting',
          );
          continue;
        }
        const parsed = JournalEntry.safeParse(item.payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = ['payload', ...(issue?.path ?? [])].join('.');
          refused.push({
            id: item.id,
            index,
            reason: `${where}: ${issue?.message ?? 'invalid'}`.slice(0, 500),
          });
          continue;
        }
        if (parsed.data.id !== item.id) {
          refused.push({ id: item.id, index, reason: 'payload.id: differs from the entry id' });
          continue;
        }
        taken.push(parsed.data);
      }
      const now = clock.now();
      const changed = await store.upsertJournal(peer.connectionId, taken, now);
      const takenIds = new Set(taken.map((t) => t.id));
      for (const { entry: item } of entries) {
        if (takenIds.has(item.id)) metrics.syncLag.observe(Math.max(0, now - item.at_ms) / 1000);
      }
      await store.touch(peer.connectionId, now);
      if (changed.length > 0) {
        publish(peer.connectionId, { type: 'journal', entries: changed.map(toSyncedJournalEntry) });
      }
      return { taken: taken.map((e) => e.id), refused };
    });

    hub.onStatus(async (peer, snapshot) => {
      const now = clock.now();
      const id = peer.connectionId;
      if (now - (lastStatusWrite.get(id) ?? 0) >= statusWriteIntervalMs) {
        lastStatusWrite.set(id, now);
        await store.saveSnapshot(id, snapshot, now);
      }
      const isOn = remoteTrading.get(id) ?? (await store.status(id)).remoteTrading;
      publish(id, {
        type: 'status',
        status: {
          connection_id: id,
          online: true,
          remote_trading: isOn,
          last_seen_at: iso(now),
          snapshot: withoutType(snapshot),
        },
      });
    });

    hub.onSettings(async (peer, message) => {
      remoteTrading.set(peer.connectionId, message.remote_trading);
      await store.saveRemoteTrading(peer.connectionId, message.remote_trading, clock.now());
      publish(peer.connectionId, { type: 'status', status: await currentStatus(peer.connectionId) });
    });

    hub.onPresence((peer, isOnline) => {
      const id = peer.connectionId;
      const work = async (): Promise<void> => {
        if (isOnline) {
          await bus.hold(id);
        } else {
          await bus.release(id);
          remoteTrading.delete(id);
          // Keep the last numbers the desktop sent, even if the throttle skipped them.
          const last = hub.lastStatus(id);
          if (last !== undefined) await store.saveSnapshot(id, last, clock.now());
        }
        await store.touch(id, clock.now());
        publish(id, { type: 'status', status: await currentStatus(id) });
      };
      work().catch((error: unknown) => {
        log.error({ err: error, connectionId: id }, 'sync: presence update failed');
      });
    });

    hub.onCommandResult(async (peer, message) => {
      const route = origins.get(message.id);
      if (route?.connectionId !== peer.connectionId) {
        log.warn(
          { connectionId: peer.connectionId, commandId: message.id },
          'sync: answer to an unknown command',
        );
        return;
      }
      origins.delete(message.id);
      await bus.publishReply(route.origin, message);
    });

    // A command for a connector held here, published by the instance that took the portal's request.
    bus.onCommand((connectionId, command, origin) => {
      remember(command.id, origin, connectionId);
      if (!hub.send(connectionId, command)) origins.delete(command.id);
    });

    bus.onReply((reply) => {
      const waiter = waiters.get(reply.id);
      if (waiter === undefined) return; // answered after the timeout: the trader was told "unknown"
      waiters.delete(reply.id);
      waiter.resolve(reply);
    });

    function remember(commandId: string, origin: string, connectionId: string): void {
      origins.set(commandId, { origin, connectionId });
      // An answer later than twice the wait is dropped; so is the route.
      setTimeout(() => origins.delete(commandId), 2 * orderTimeoutMs).unref();
    }

    app.addHook('preClose', async () => {
      for (const stream of streams) stream.end();
      streams.clear();
      for (const waiter of waiters.values()) waiter.resolve('timeout');
      waiters.clear();
      await bus.close();
    });

    // ---- routes ----

    app.addHook('onRequest', app.authenticate);

    const ownedConnection = async (request: FastifyRequest, id: string): Promise<string> => {
      if (request.auth === null) throw errors.unauthorized();
      if (!(await store.owns(request.auth.userId, id))) throw errors.notFound('Connection');
      return id;
    };

    app.get(
      '/:id/status',
      {
        schema: {
          tags: ['sync'],
          summary: "A connection's live status",
          security: bearer,
          params: IdParams,
          response: { 200: ConnectionStatus, ...failures },
        },
      },
      async (request) => currentStatus(await ownedConnection(request, request.params.id)),
    );

    app.get(
      '/:id/journal',
      {
        schema: {
          tags: ['sync'],
          summary: "A page of a connection's synced trade journal",
          security: bearer,
          params: IdParams,
          querystring: SyncJournalQuery,
          response: { 200: SyncJournalPage, ...failures },
        },
      },
      async (request) => {
        const id = await ownedConnection(request, request.params.id);
        const page = await store.journalPage(id, request.query);
        if (page === null) {
          throw apiError('validation_failed', 'The cursor is not valid; start again from the first page.', {
            issues: [{ path: 'cursor', message: 'invalid cursor' }],
          });
        }
        return page;
      },
    );

    app.get(
      '/:id/events',
      {
        schema: {
          tags: ['sync'],
          summary: 'Live status and journal events (text/event-stream)',
          security: bearer,
          params: IdParams,
          // The stream itself is text/event-stream (docs/cloud-sync.md); its events are LiveEvent objects.
          response: {
            200: z
              .string()
              .describe('text/event-stream: `event: status|journal` lines with LiveEvent JSON data'),
            ...failures,
          },
        },
      },
      async (request, reply) => {
        const id = await ownedConnection(request, request.params.id);
        // Everything that can fail is done before the stream starts, so a failure is a plain JSON answer
        // (503 when Redis is away), never a 200 that sends nothing.
        const queued: LiveEvent[] = [];
        let send = (event: LiveEvent): void => {
          queued.push(event);
        };
        let unsubscribe: () => void;
        try {
          unsubscribe = await bus.subscribeEvents(id, (event) => {
            send(event);
          });
        } catch (error) {
          if (error instanceof BusUnavailableError) throw relayUnavailable();
          throw error;
        }
        let first: ConnectionStatus;
        try {
          first = await currentStatus(id);
        } catch (error) {
          unsubscribe();
          throw error;
        }
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-content-type-options': 'nosniff',
        });
        streams.add(raw);
        send = (event: LiveEvent): void => {
          raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        };
        send({ type: 'status', status: first });
        for (const event of queued.splice(0)) send(event);
        const timer = setInterval(() => {
          raw.write(': keep-alive\n\n');
          // A revoked session or an expired token ends the stream; the portal refreshes and reconnects.
          app.authenticate(request).catch(() => raw.end());
        }, keepAliveMs);
        timer.unref();
        raw.on('close', () => {
          clearInterval(timer);
          unsubscribe();
          streams.delete(raw);
        });
      },
    );

    app.post(
      '/:id/orders',
      {
        schema: {
          tags: ['sync'],
          summary: 'Send an order to the desktop holding the connection',
          security: bearer,
          params: IdParams,
          body: RemoteOrderRequest,
          response: {
            200: RemoteOrderResponse,
            ...failures,
            409: ErrorBody,
            504: ErrorBody,
          },
        },
      },
      async (request) => {
        const id = await ownedConnection(request, request.params.id);
        const userId = request.auth?.userId ?? null;
        const record = async (result: string, details?: Record<string, unknown>): Promise<void> => {
          metrics.remoteOrders.inc({ result });
          await audit.write({
            event: 'sync.remote_order',
            result,
            userId,
            connectionId: id,
            ip: request.ip,
            details: { operation: request.body.intent.operation, ...details },
          });
        };
        const isHere = hub.isConnected(id);
        // Presence and the stored switch in parallel: this is on the ticket's critical path.
        const [presence, status] = await Promise.all([
          isHere ? Promise.resolve('here' as const) : bus.presence(id),
          store.status(id),
        ]);
        if (presence === 'unknown') {
          await record('relay_unavailable');
          throw relayUnavailable();
        }
        if (presence === 'nowhere') {
          await record('offline');
          throw apiError(
            'connector_offline',
            'The desktop holding this connection is offline; nothing was sent.',
          );
        }
        const isOn = isHere ? (remoteTrading.get(id) ?? status.remoteTrading) : status.remoteTrading;
        if (!isOn) {
          await record('remote_trading_disabled');
          throw remoteTradingOff();
        }

        const command: ConnectorCommand = {
          type: 'command',
          id: randomUUID(),
          request_id: request.id,
          name: PLACE_ORDER_COMMAND,
          args: { request_key: request.body.request_key, intent: request.body.intent },
        };
        let timer: NodeJS.Timeout | undefined;
        const answer = new Promise<Reply>((resolve) => {
          waiters.set(command.id, { connectionId: id, resolve });
          timer = setTimeout(() => {
            waiters.delete(command.id);
            resolve('timeout');
          }, orderTimeoutMs);
        });
        const sentAt = performance.now();
        let path: 'local' | 'relay' = 'local';
        let isSent = false;
        if (isHere) {
          remember(command.id, instanceId, id);
          isSent = hub.send(id, command);
          if (!isSent) origins.delete(command.id);
        }
        if (!isSent) {
          path = 'relay';
          const delivery = await bus.publishCommand(id, command);
          if (delivery === 'unknown') {
            clearTimeout(timer);
            waiters.delete(command.id);
            await record('relay_unavailable');
            throw relayUnavailable();
          }
          isSent = delivery === 'sent';
        }
        if (!isSent) {
          clearTimeout(timer);
          waiters.delete(command.id);
          await record('offline');
          throw apiError(
            'connector_offline',
            'The desktop holding this connection is offline; nothing was sent.',
          );
        }

        const reply = await answer;
        clearTimeout(timer);
        if (reply !== 'timeout') {
          metrics.relayLatency.observe({ path }, (performance.now() - sentAt) / 1000);
        }
        if (reply === 'timeout') {
          await record('outcome_unknown');
          throw apiError(
            'outcome_unknown',
            `The desktop did not answer within ${Math.round(orderTimeoutMs / 1000)} s. The order may or may not have been executed: check the journal before trying again.`,
            { request_key: request.body.request_key },
          );
        }
        switch (reply.status) {
          case 'remote_trading_disabled':
            await record('remote_trading_disabled');
            throw remoteTradingOff();
          case 'invalid':
            await record('invalid');
            throw apiError('validation_failed', reply.message ?? 'The desktop refused the order as invalid.');
          case 'done': {
            const result = RemoteOrderResult.safeParse(reply.result);
            if (!result.success) {
              log.error(
                { connectionId: id, commandId: command.id },
                'sync: the desktop answered an unreadable result',
              );
              await record('outcome_unknown', { reason: 'unreadable answer' });
              throw apiError(
                'outcome_unknown',
                'The desktop answered, but not in a form the cloud can read. Check the journal before trying again.',
              );
            }
            // The trader waits for this answer; the audit row is written right after it.
            app.cloud.background(
              record(result.data.ok ? 'done' : 'refused', { code: result.data.code }),
              'sync audit',
            );
            return { result: result.data };
          }
        }
      },
    );
  };
}

/** Redis is away, so the cloud cannot tell where the desktop is: a 503 that says so, never "desktop offline". */
function relayUnavailable(): ReturnType<typeof apiError> {
  return apiError(
    'service_unavailable',
    'The cloud cannot reach its relay between servers right now, so it cannot tell whether the desktop is online; nothing was sent. Try again in a moment.',
  );
}

function remoteTradingOff(): ReturnType<typeof apiError> {
  return apiError(
    'remote_trading_disabled',
    'Remote trading is off for this connection. Switch it on in the Pipdesk desktop app (Settings → Cloud).',
  );
}

function withoutType(snapshot: StatusSnapshot): Omit<StatusSnapshot, 'type'> {
  const { type: _type, ...rest } = snapshot;
  return rest;
}
