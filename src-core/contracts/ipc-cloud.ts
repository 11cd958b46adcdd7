import { z } from 'zod';

/**
 * IPC for cloud sync (docs/cloud-sync.md), in the same `{ request, response }` form as `ipcChannels` in ipc.ts, so the map
 * merges with a spread: `ipcChannels = { ...existing, ...cloudIpcChannels }` and
 * `ipcEvents = { ...existing, ...cloudIpcEvents }`. Handlers live in src-main/services/cloud-sync (see
 * `cloudIpcHandlers`).
 */

/** An MT5 account the bridge sees, and what the cloud knows of it. */
export const CloudAccount = z.object({
  /** `login@server`, the bridge's session key. */
  accountKey: z.string(),
  login: z.string(),
  server: z.string(),
  /** The cloud connection it is registered as; null until the user confirms it. */
  connectionId: z.string().nullable(),
  /** Off by default; when on, portal tickets run through this desktop's executor. */
  isRemoteTradingOn: z.boolean(),
  /** The connector socket of this account. */
  connector: z.enum(['not_linked', 'connecting', 'online', 'offline']),
  /** The terminal is connected to the bridge right now. */
  isTerminalConnected: z.boolean(),
});
export type CloudAccount = z.infer<typeof CloudAccount>;

/** A journal entry the cloud refused for good: moved aside (kept on this desktop) and shown to the trader. */
export const CloudRefusedEntry = z.object({
  entryId: z.string(),
  accountKey: z.string(),
  /** The cloud's reason, e.g. `payload.message: must not contain a NUL character (U+0000)`. */
  reason: z.string(),
  /** Milliseconds since the epoch. */
  refusedAt: z.number().int(),
  symbol: z.string().nullable(),
  operation: z.string().nullable(),
});
export type CloudRefusedEntry = z.infer<typeof CloudRefusedEntry>;

export const CloudState = z.object({
  status: z.enum(['signed_out', 'signing_in', 'signed_in']),
  cloudUrl: z.string(),
  email: z.string().nullable(),
  /** Why the app is signed out when it did not ask to be (session revoked, password reset), in plain words. */
  notice: z.string().nullable(),
  /** Where the sign-in is kept between runs, in plain words. */
  tokenStorage: z.string(),
  accounts: z.array(CloudAccount),
  /** Journal entries not yet acknowledged by the cloud. */
  unsyncedEntries: z.number().int().nonnegative(),
  /** Entries the cloud refused for good (newest first, at most 100); sync goes on without them. */
  refusedEntries: z.array(CloudRefusedEntry).optional(),
});
export type CloudState = z.infer<typeof CloudState>;

const empty = z.strictObject({});
const accountKey = z.string().min(3).max(200);

const channel = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({
  request,
  response,
});

export const cloudIpcChannels = {
  'cloud:get-state': channel(empty, CloudState),
  /** Failures: `INVALID_CREDENTIALS`, `TOTP_REQUIRED` (ask for the code, call again with it), `INVALID_TOTP_CODE`, `RATE_LIMITED`, `CLOUD_UNREACHABLE`. */
  'cloud:sign-in': channel(
    z.strictObject({
      email: z.string().trim().min(3).max(254),
      password: z.string().min(1).max(1024),
      totpCode: z.string().trim().min(6).max(64).optional(),
    }),
    CloudState,
  ),
  'cloud:sign-out': channel(empty, CloudState),
  /** The user confirms that this MT5 account is theirs to show in the cloud: registers it as a connection. */
  'cloud:link-account': channel(z.strictObject({ accountKey }), CloudState),
  'cloud:set-remote-trading': channel(z.strictObject({ accountKey, isOn: z.boolean() }), CloudState),
} as const;

export const cloudIpcEvents = {
  'cloud:state-changed': CloudState,
} as const;
