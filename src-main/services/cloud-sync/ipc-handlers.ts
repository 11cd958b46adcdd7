import type { z } from 'zod';
import type { cloudIpcChannels } from '../../../src-core/contracts/ipc-cloud';
import { ok, type Result } from '../../../src-core/result';
import type { CloudSync } from './cloud-sync';

type Channels = typeof cloudIpcChannels;
type CloudChannel = keyof Channels;

/** A handler of a cloud channel: the validated request in, a `Result` of the channel's value out. */
export type CloudIpcHandler<K extends CloudChannel> = (
  request: z.output<Channels[K]['request']>,
) => Result<z.output<Channels[K]['response']>> | Promise<Result<z.output<Channels[K]['response']>>>;

export type CloudIpcHandlers = { readonly [K in CloudChannel]: CloudIpcHandler<K> };

/**
 * The handlers of `cloudIpcChannels` (src-core/contracts/ipc-cloud.ts), to merge into the app's handler map
 * beside the contract merge: `{ ...handlers, ...cloudIpcHandlers(sync) }`. Push `sync.onState` to the
 * `cloud:state-changed` event.
 */
export function cloudIpcHandlers(sync: CloudSync): CloudIpcHandlers {
  return {
    'cloud:get-state': () => ok(sync.state()),
    'cloud:sign-in': (request) => sync.signIn(request.email, request.password, request.totpCode),
    'cloud:sign-out': async () => ok(await sync.signOut()),
    'cloud:link-account': (request) => sync.linkAccount(request.accountKey),
    'cloud:set-remote-trading': (request) => sync.setRemoteTrading(request.accountKey, request.isOn),
  };
}
