import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import {
  Accepted,
  AuthResult,
  ChangePasswordRequest,
  ErrorBody,
  ForgotPasswordRequest,
  IdParams,
  LoginRequest,
  LogoutRequest,
  Ok,
  RefreshRequest,
  RegisterRequest,
  ResetPasswordRequest,
  SessionList,
  TokenPair,
  TotpDisableRequest,
  TotpEnableRequest,
  TotpEnableResponse,
  TotpSetupResponse,
  User,
} from '../../../../src-core/contracts/cloud-api';
import { errors } from '../../errors';
import type { AccountService, Caller } from '../../services/accounts';

export const FORGOT_PASSWORD_MESSAGE =
  'If an account exists for this email, a link to reset the password is on its way. It works for one hour.';

const caller = (request: FastifyRequest): Caller => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
});

const needAuth = (request: FastifyRequest) => {
  if (request.auth === null) throw errors.unauthorized();
  return request.auth;
};

// 503: a revocation that could not reach every instance does not happen (docs/security.md).
const failures = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody };
const bearer = [{ bearerAuth: [] }];

/** `/api/v1/auth/*`: accounts, sessions, password reset, 2FA. */
export function authRoutes(accounts: AccountService): FastifyPluginCallbackZod {
  return (app, _options, done) => {
    // onRequest: the token is checked before the body is parsed or validated.
    const authenticated = { onRequest: app.authenticate };

    app.post(
      '/register',
      {
        schema: {
          tags: ['auth'],
          summary: 'Create an account and sign in',
          body: RegisterRequest,
          response: { 201: AuthResult, ...failures },
        },
      },
      async (request, reply) => {
        const result = await accounts.register(request.body.email, request.body.password, caller(request));
        return reply.code(201).send(result);
      },
    );

    app.post(
      '/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email, password and (when on) a 2FA code',
          body: LoginRequest,
          response: { 200: AuthResult, ...failures },
        },
      },
      (request) =>
        accounts.login(request.body.email, request.body.password, request.body.totp_code, caller(request)),
    );

    app.post(
      '/refresh',
      {
        schema: {
          tags: ['auth'],
          summary: 'Exchange a refresh token for new tokens (rotating)',
          body: RefreshRequest,
          response: { 200: TokenPair, ...failures },
        },
      },
      (request) => accounts.refresh(request.body.refresh_token, caller(request)),
    );

    app.post(
      '/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'End the current session, or the one a refresh token belongs to',
          // No body at all arrives as null: the body is optional, so both mean "no refresh token".
          body: LogoutRequest.nullish(),
          response: { 200: Ok, ...failures },
        },
        // Optional auth: an expired access token must not prevent ending the session by refresh token.
        onRequest: async (request) => {
          await app.authenticate(request).catch(() => undefined);
        },
      },
      async (request) => {
        await accounts.logout(request.auth, request.body?.refresh_token, caller(request));
        return { status: 'ok' as const };
      },
    );

    app.get(
      '/me',
      {
        ...authenticated,
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user',
          security: bearer,
          response: { 200: User, 401: ErrorBody },
        },
      },
      (request) => accounts.me(needAuth(request)),
    );

    app.get(
      '/sessions',
      {
        ...authenticated,
        schema: {
          tags: ['auth'],
          summary: "The user's live sessions",
          security: bearer,
          response: { 200: SessionList, 401: ErrorBody },
        },
      },
      async (request) => ({ sessions: await accounts.listSessions(needAuth(request)) }),
    );

    app.delete(
      '/sessions/:id',
      {
        ...authenticated,
        schema: {
          tags: ['auth'],
          summary: "End one of the user's sessions",
          security: bearer,
          params: IdParams,
          response: { 200: Ok, 401: ErrorBody, 404: ErrorBody, 503: ErrorBody },
        },
      },
      async (request) => {
        await accounts.revokeOwnSession(needAuth(request), request.params.id, caller(request));
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/change-password',
      {
        ...authenticated,
        schema: {
          tags: ['auth'],
          summary: 'Change the password (other sessions end)',
          security: bearer,
          body: ChangePasswordRequest,
          response: { 200: Ok, ...failures },
        },
      },
      async (request) => {
        await accounts.changePassword(
          needAuth(request),
          request.body.current_password,
          request.body.new_password,
          caller(request),
        );
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/forgot-password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Email a password reset link (same answer for any email)',
          body: ForgotPasswordRequest,
          response: { 202: Accepted, ...failures },
        },
      },
      async (request, reply) => {
        await accounts.forgotPassword(request.body.email, caller(request));
        return reply.code(202).send({ status: 'accepted', message: FORGOT_PASSWORD_MESSAGE });
      },
    );

    app.post(
      '/reset-password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with a reset link (every session ends)',
          body: ResetPasswordRequest,
          response: { 200: Ok, ...failures },
        },
      },
      async (request) => {
        await accounts.resetPassword(request.body.token, request.body.new_password, caller(request));
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/2fa/setup',
      {
        ...authenticated,
        schema: {
          tags: ['2fa'],
          summary: 'Start 2FA setup: a new TOTP secret and its QR code',
          security: bearer,
          response: { 200: TotpSetupResponse, ...failures },
        },
      },
      (request) => accounts.totpSetup(needAuth(request)),
    );

    app.post(
      '/2fa/enable',
      {
        ...authenticated,
        schema: {
          tags: ['2fa'],
          summary: 'Turn 2FA on with a first code; returns recovery codes',
          security: bearer,
          body: TotpEnableRequest,
          response: { 200: TotpEnableResponse, ...failures },
        },
      },
      (request) => accounts.totpEnable(needAuth(request), request.body.code, caller(request)),
    );

    app.post(
      '/2fa/disable',
      {
        ...authenticated,
        schema: {
          tags: ['2fa'],
          summary: 'Turn 2FA off (password and a code required)',
          security: bearer,
          body: TotpDisableRequest,
          response: { 200: Ok, ...failures },
        },
      },
      async (request) => {
        await accounts.totpDisable(
          needAuth(request),
          request.body.password,
          request.body.code,
          caller(request),
        );
        return { status: 'ok' as const };
      },
    );
    done();
  };
}
