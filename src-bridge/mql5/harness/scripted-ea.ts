/**
 * Scripted sessions of the whole EA (PipdeskBridge.mq5 and its includes, translated to C++ and compiled with g++)
 * against a fake MT5 terminal and a fake pipe (harness/ea-driver.cpp). Every frame the EA writes is held to the
 * protocol's zod schemas. Test files call `useScriptedEa()` once at their top level.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { BUILD_TIMEOUT_MS, buildHarness } from './build-harness';
import { Auth, EaMessageSchemas, Hello, ResultSchemas, type RequestType } from '../../protocol/messages';

let buildDir = '';
let eaDriver = '';

/** Compiles the scripted EA before the calling test file's tests and removes it after them. */
export function useScriptedEa(): void {
  beforeAll(() => {
    const built = buildHarness('ea-driver');
    buildDir = built.dir;
    eaDriver = built.binary;
  }, BUILD_TIMEOUT_MS);
  afterAll(() => {
    if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
  });
}

/** The fake terminal's clock: TimeGMT() starts here (ms); the trade server runs 3 h ahead (UTC+3). */
export const GMT_MS = 1_799_931_600_000;
/** TimeTradeServer() minus TimeGMT() in the fake terminal unless a scenario changes it. */
export const TIME_OFFSET_SEC = 10_800;
/** The fake terminal's token.txt and pipe.txt unless a script changes them (ea-driver.cpp). */
export const TOKEN = '0f1e2d3c4b5a6978'.repeat(4);
export const PIPE_NAME = 'pipdesk-1a2b3c4d5e6f7a8b';
/** The scripted app's nonce in `challenge` commands. */
export const APP_NONCE = 'a5'.repeat(32);
export const WELCOME = {
  type: 'welcome',
  protocol: 2,
  sessionId: 's-1',
  heartbeatMs: 5000,
  silenceMs: 15000,
  maxFrameBytes: 1_048_576,
  app: 'pipdesk/test',
};

export interface SentRequest {
  action: number;
  type: number;
  filling: number;
  typeTime: number;
  volume: number;
  price: number;
  stoplimit: number;
  sl: number;
  magic: number;
  position: number;
  positionBy: number;
  order: number;
  deviation: number;
  comment: string;
  symbol: string;
}
export interface Stats {
  /** How many frames the EA had written when the stats were taken. */
  framesBefore: number;
  open: boolean;
  opens: number;
  sent: SentRequest[];
  checked: SentRequest[];
  /** The terminal's global variables. */
  globals: Record<string, number>;
  /** Every Alert the EA raised so far. */
  alerts: string[];
  /** Every line the EA printed to the terminal's journal so far (Print, PrintFormat). */
  journal: string[];
  /** Global variables GlobalVariableSet created as permanent ones (they should all be temporary). */
  permanentGlobals: string[];
}
export type Frame = Record<string, unknown> & { type: string };
export interface Session {
  /** Every frame the EA wrote, in order. */
  frames: Frame[];
  /** Frames written before each `stats` command, one list per command. */
  stats: Stats[];
  /** Responses by request id. */
  responses: Map<string, Frame>;
  /** OnInit refused to start (the stats then hold only its journal). */
  initFailed: boolean;
}

export interface SessionOptions {
  /** Start before the terminal has been connected to the trade server for PD_SYNC_SETTLE_MS. */
  readonly cold?: boolean;
  /** Extra environment of the driver (PIPDESK_TERMINAL_BUILD). */
  readonly env?: NodeJS.ProcessEnv;
}

let nextId = 0;
/** One app → EA request line; `expiresAt` is 30 s after the fake clock's start unless given. */
export function request(type: string, params: Record<string, unknown> = {}): { id: string; line: string } {
  nextId++;
  const id = `r-${nextId}`;
  const frame = { type, id, deadlineMs: 30_000, expiresAt: GMT_MS + 30_000, ...params };
  return { id, line: `app ${JSON.stringify(frame)}` };
}

/** The request type of each id `req` made, so its answer is checked against that type's result schema. */
export const requestTypes = new Map<string, RequestType>();
export function req(type: RequestType, params: Record<string, unknown> = {}): string {
  const r = request(type, params);
  requestTypes.set(r.id, type);
  return r.line;
}

/**
 * The EA waits until the terminal has been connected to the trade server for PD_SYNC_SETTLE_MS before it says
 * hello. Scripts start after that unless `cold`: the first timer call sees the connection, then 5 s pass unseen.
 */
const WARM_UP = ['timer', 'clock 5000'];

/** Runs a script and validates every frame against the protocol. */
export function session(script: readonly string[], options: SessionOptions = {}): Session {
  const out = execFileSync(eaDriver, [], {
    input: [...(options.cold === true ? [] : WARM_UP), ...script].join('\n') + '\n',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...options.env },
  }).toString('utf8');
  let initFailed = false;
  const frames: Frame[] = [];
  const stats: Stats[] = [];
  const responses = new Map<string, Frame>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    expect(line.startsWith('#violation'), line).toBe(false);
    if (line === '#init-failed') {
      initFailed = true;
      continue;
    }
    if (line.startsWith('#stats ')) {
      stats.push({ ...(JSON.parse(line.slice('#stats '.length)) as Stats), framesBefore: frames.length });
      continue;
    }
    const frame = JSON.parse(line) as Frame;
    frames.push(frame);
    if (frame.type === 'hello') {
      Hello.parse(frame);
      continue;
    }
    if (frame.type === 'auth') {
      Auth.parse(frame);
      continue;
    }
    const schemas: Readonly<Record<string, { parse: (v: unknown) => unknown }>> = EaMessageSchemas;
    const schema = schemas[frame.type];
    expect(schema, `unknown frame type ${frame.type}`).toBeDefined();
    schema?.parse(frame);
    if (frame.type === 'response') {
      const id = String(frame.id);
      expect(responses.has(id), `answered twice: ${id}`).toBe(false);
      responses.set(id, frame);
      const type = requestTypes.get(id);
      if (frame.ok === true && type !== undefined) ResultSchemas[type].parse(frame.result);
    }
  }
  return { frames, stats, responses, initFailed };
}

export function result(s: Session, line: string): Record<string, unknown> {
  const id = idOf(line);
  const r = s.responses.get(id);
  expect(r?.ok, `${id}: ${JSON.stringify(r)}`).toBe(true);
  return r?.result as Record<string, unknown>;
}

export function failure(s: Session, line: string): { code: string; message: string } {
  const id = idOf(line);
  const r = s.responses.get(id);
  expect(r?.ok, `${id}: ${JSON.stringify(r)}`).toBe(false);
  return r?.error as { code: string; message: string };
}

export function idOf(line: string): string {
  return (JSON.parse(line.slice('app '.length)) as { id: string }).id;
}

/** The app's side of the handshake once the EA said hello: challenge, then (after the EA's auth) welcome. */
export const PAIR = [`challenge ${APP_NONCE}`, 'timer 10', `app ${JSON.stringify(WELCOME)}`];
/** hello, the app's challenge, the EA's auth, welcome. */
export const HANDSHAKE = [
  'timer',
  `challenge ${APP_NONCE}`,
  'timer 10',
  `app ${JSON.stringify(WELCOME)}`,
  'timer 10',
];

/** A handshake proof as docs/bridge-protocol.md defines it, computed with node:crypto. */
export function handshakeProof(
  role: 'app' | 'ea',
  eaNonce: string,
  appNonce: string,
  token: string = TOKEN,
  endpoint: string = PIPE_NAME,
): string {
  return createHmac('sha256', Buffer.from(token, 'ascii'))
    .update(`pipdesk/2\n${role}\n${endpoint}\n${eaNonce}\n${appNonce}`, 'utf8')
    .digest('hex');
}
export const trade = (
  action: string,
  clOrdId: string,
  params: Record<string, unknown>,
  type: RequestType = 'order_send',
) => req(type, { clOrdId, magic: '26042001', action, ...params });
