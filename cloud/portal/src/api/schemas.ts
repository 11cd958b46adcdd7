// The portal speaks the cloud's own contracts: the same zod schemas the cloud validates with.
export {
  Accepted,
  AuthResult,
  Connection,
  ConnectionList,
  Ok,
  SessionList,
  TokenPair,
  TotpEnableResponse,
  TotpSetupResponse,
  User,
} from '../../../../src-core/contracts/cloud-api';
export type { Session } from '../../../../src-core/contracts/cloud-api';
export {
  ConnectionStatus,
  LiveEvent,
  RemoteOrderResponse,
  SyncJournalPage,
  SyncedJournalEntry,
} from '../../../../src-core/contracts/cloud-sync';
export type { RemoteOrderResult, RemoteOrderRequest } from '../../../../src-core/contracts/cloud-sync';
