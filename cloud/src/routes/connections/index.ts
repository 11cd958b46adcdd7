import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import {
  Connection,
  ConnectionList,
  CreateConnectionRequest,
  ErrorBody,
  IdParams,
  Ok,
  Platform,
  UpdateConnectionRequest,
} from '../../../../src-core/contracts/cloud-api';
import type { ConnectionsTable } from '../../db/schema';
import { errors } from '../../errors';
import { newId } from '../../security/crypto';

const iso = (ms: number): string => new Date(ms).toISOString();

export function toConnection(row: Omit<Selectable<ConnectionsTable>, 'user_id'>): Connection {
  return {
    id: row.id,
    name: row.name,
    platform: Platform.parse(row.platform),
    broker_server: row.broker_server,
    account_login: row.account_login,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

const owner = (request: FastifyRequest): string => {
  if (request.auth === null) throw errors.unauthorized();
  return request.auth.userId;
};

const bearer = [{ bearerAuth: [] }];
const failures = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 429: ErrorBody };

/**
 * `/api/v1/connections`: every query is scoped by the caller's user id, so another user's connection is
 * simply not found: the same 404 and body as a missing id (ASVS 5.0 8.2.2). Every change to a user's
 * connections runs inside `connectionLists.change`, which keeps each instance's remembered list exact
 * (list-cache.ts); a write to the table anywhere else must do the same.
 */
export const connectionRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const db = app.cloud.db.kysely;
  const clock = app.cloud.clock;
  // The list is asked for on every client's start and poll: compiled once, a prepared statement on PostgreSQL.
  const listOwned = app.cloud.db.prepare('connections_list', (kysely, param) =>
    kysely
      .selectFrom('connections')
      // Named columns: a prepared statement whose result shape changed under it (a new column) would fail.
      .select(['id', 'name', 'platform', 'broker_server', 'account_login', 'created_at', 'updated_at'])
      .where('user_id', '=', param(0))
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(1000),
  );
  const lists = app.cloud.connectionLists;
  app.addHook('onRequest', app.authenticate);

  app.get(
    '',
    {
      schema: {
        tags: ['connections'],
        summary: "The user's connections (MT5 accounts)",
        security: bearer,
        response: { 200: ConnectionList, ...failures },
      },
      config: { readsConnectionList: true },
    },
    async (request, reply) => {
      const userId = owner(request);
      // Used once, like the session read: it dates this request only.
      const read = request.listRead;
      request.listRead = null;
      const cached = await lists.lookup(userId, read);
      let body = cached.body;
      if (body === null) {
        const rows = await listOwned([userId]);
        // What the response schema's serializer would send, checked the same way, kept as text to serve again.
        body = JSON.stringify(ConnectionList.parse({ connections: rows.map(toConnection) }));
        lists.remember(cached.ticket, body);
      }
      // Already JSON: Fastify sends text with a JSON type as it is (the zod type provider types only objects).
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );

  app.post(
    '',
    {
      schema: {
        tags: ['connections'],
        summary: 'Register a connection',
        security: bearer,
        body: CreateConnectionRequest,
        response: { 201: Connection, ...failures },
      },
    },
    async (request, reply) => {
      const now = clock.now();
      const row = {
        id: newId(),
        user_id: owner(request),
        name: request.body.name,
        platform: request.body.platform,
        broker_server: request.body.broker_server,
        account_login: request.body.account_login,
        created_at: now,
        updated_at: now,
      };
      await lists.change(row.user_id, () => db.insertInto('connections').values(row).execute());
      return reply.code(201).send(toConnection(row));
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'One connection',
        security: bearer,
        params: IdParams,
        response: { 200: Connection, ...failures },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('user_id', '=', owner(request))
        .executeTakeFirst();
      if (row === undefined) throw errors.notFound('Connection');
      return toConnection(row);
    },
  );

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'Rename or edit a connection',
        security: bearer,
        params: IdParams,
        body: UpdateConnectionRequest,
        response: { 200: Connection, ...failures },
      },
    },
    async (request) => {
      const changes = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
      const userId = owner(request);
      const row = await lists.change(userId, () =>
        db
          .updateTable('connections')
          .set({ ...changes, updated_at: clock.now() })
          .where('id', '=', request.params.id)
          .where('user_id', '=', userId)
          .returningAll()
          .executeTakeFirst(),
      );
      if (row === undefined) throw errors.notFound('Connection');
      return toConnection(row);
    },
  );

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['connections'],
        summary: 'Delete a connection (its connector socket closes)',
        security: bearer,
        params: IdParams,
        response: { 200: Ok, ...failures },
      },
    },
    async (request) => {
      const userId = owner(request);
      const result = await lists.change(userId, () =>
        db
          .deleteFrom('connections')
          .where('id', '=', request.params.id)
          .where('user_id', '=', userId)
          .executeTakeFirst(),
      );
      if (Number(result.numDeletedRows) !== 1) throw errors.notFound('Connection');
      // A live connector for a deleted connection loses its authorisation at once, on every instance.
      await app.cloud.hub.revoke({ kind: 'connection', connection_id: request.params.id });
      return { status: 'ok' as const };
    },
  );
  done();
};
