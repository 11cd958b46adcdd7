import type { Socket } from 'node:net';
import { generateNonce, handshakeProof, proofsEqual } from '../protocol/handshake';
import { FramedLink } from '../protocol/link';
import type { Logger } from '../../src-core/logger';
import { Auth, Hello, PROTOCOL_VERSION, type RefusalReason } from '../protocol/messages';
import type { BridgeSession } from './session';

/** What an EA claimed to be in its hello, when it was readable. */
export interface Claimed {
  readonly login?: string;
  readonly server?: string;
  readonly eaVersion?: string;
}

/** The server's side of one connection's handshake. */
export interface ConnectionDeps {
  readonly logger: Logger;
  /** The endpoint string both proofs cover (`handshakeEndpoint(path)`). */
  readonly endpoint: string;
  readonly helloTimeoutMs: number;
  readonly authTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly silenceMs: number;
  /** The current pairing token; undefined when the app has none. */
  readonly expectedToken: () => Promise<string | undefined>;
  /** The connection was refused (the refused frame is already sent). */
  readonly onRefused: (reason: RefusalReason, message: string, claimed: Claimed) => void;
  /** The EA closed after the challenge without answering it (it could not verify the app's proof). */
  readonly onAbandoned: (claimed: Claimed) => void;
  /**
   * The EA proved it holds the token: create its session (and send welcome), or answer a refusal (BUSY,
   * SHUTTING_DOWN) that the connection then sends.
   */
  readonly onPaired: (
    hello: Hello,
    link: FramedLink,
  ) => { readonly session: BridgeSession } | { readonly refusal: RefusalReason; readonly message: string };
  /** The connection left the unpaired state (paired, refused or closed). */
  readonly onSettled: (connection: Connection) => void;
}

/** Where a connection is in the handshake. */
type Phase = 'hello' | 'checking' | 'auth' | 'paired' | 'done';

/** Refusal text for an EA of another protocol version: the trader has to act. */
const UPDATE_EA =
  'this EA speaks an older bridge protocol; update it: in Pipdesk, Settings → Install the EA, then restart it in MT5';

/**
 * One connection to the bridge, from its first byte: the v2 handshake (hello → challenge → auth, each step
 * under a deadline), then the frames of its session. The token never crosses the pipe: the app proves it holds
 * the token in `challenge` and the EA in `auth` (docs/bridge-protocol.md, "Handshake").
 */
export class Connection {
  readonly link: FramedLink;
  /** When the connection was accepted (ms since 1970). */
  readonly acceptedAt = Date.now();
  readonly #deps: ConnectionDeps;
  #phase: Phase = 'hello';
  #session: BridgeSession | undefined;
  #timer: NodeJS.Timeout | undefined;
  #hello: Hello | undefined;
  #appNonce = '';
  #token = '';

  constructor(socket: Socket, deps: ConnectionDeps) {
    this.#deps = deps;
    this.link = new FramedLink(
      socket,
      {
        onMessage: (message, type) => {
          this.#onMessage(message, type);
        },
        onBadFrame: (code, message) => {
          if (this.#session !== undefined) {
            this.#session.handleBadFrame(code, message);
            return;
          }
          this.#refuse('BAD_HELLO', `frame unreadable during the handshake: ${message}`);
        },
        onSilence: () => {
          this.#session?.close('silence', `nothing received for ${deps.silenceMs} ms`);
        },
        onClose: (cause, error) => {
          this.#clearTimer();
          if (error !== undefined) deps.logger.debug('bridge: socket error', { error: error.message });
          if (this.#session !== undefined) {
            this.#session.close(cause === 'backpressure' ? 'backpressure' : 'disconnected');
            return;
          }
          this.#settle();
        },
      },
      { maxFrameBytes: deps.maxFrameBytes },
    );
    this.#arm('HELLO_TIMEOUT', deps.helloTimeoutMs, `no hello within ${deps.helloTimeoutMs} ms`);
  }

  /** Whether the handshake is still under way (the connection counts against the unpaired budget). */
  get isUnpaired(): boolean {
    return this.#phase !== 'paired' && this.#phase !== 'done';
  }

  /** Drops an unpaired connection without a word (to make room in the unpaired budget). */
  evict(): void {
    if (!this.isUnpaired) return;
    this.#clearTimer();
    this.#phase = 'done';
    this.link.destroy();
    this.#deps.onSettled(this);
  }

  /** Refuses an unpaired connection (the server is shutting down). */
  refuse(reason: RefusalReason, message: string): void {
    if (this.isUnpaired) this.#refuse(reason, message);
  }

  #onMessage(message: Record<string, unknown>, type: string | undefined): void {
    const session = this.#session;
    if (session !== undefined) {
      try {
        session.handleMessage(message, type);
      } catch (error) {
        // A bug in our handling must not take the app down: log the stack, tell the EA without it.
        this.#deps.logger.error('bridge: failed to handle a frame', {
          session: session.key,
          type,
          stack: error instanceof Error ? error.stack : String(error),
        });
        this.link.send({
          type: 'error',
          code: 'BAD_MESSAGE',
          message: 'the app could not handle this frame',
        });
      }
      return;
    }
    switch (this.#phase) {
      case 'hello':
        this.#onHello(message, type);
        return;
      case 'auth':
        this.#onAuth(message, type);
        return;
      case 'checking':
        // The EA must wait for the challenge: anything before it is a protocol violation.
        this.#refuse('BAD_HELLO', 'a frame arrived before the challenge');
        return;
      case 'paired':
      case 'done':
        return;
    }
  }

  #onHello(message: Record<string, unknown>, type: string | undefined): void {
    if (type !== 'hello') {
      this.#refuse('BAD_HELLO', 'the first frame must be hello');
      return;
    }
    const protocol = message['protocol'];
    const claimed = claimedBy(message);
    if (protocol !== PROTOCOL_VERSION || 'token' in message) {
      // A v1 EA sends its token in hello; it is never read, compared or logged.
      const version = typeof protocol === 'number' ? String(protocol) : 'unknown';
      this.#refuse('PROTOCOL_UNSUPPORTED', `protocol ${version} is not supported; ${UPDATE_EA}`, claimed);
      return;
    }
    const parsed = Hello.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.#refuse(
        'BAD_HELLO',
        `invalid hello: ${issue === undefined ? '' : `${issue.path.join('.')}: ${issue.message}`}`,
        claimed,
      );
      return;
    }
    this.#hello = parsed.data;
    this.#phase = 'checking';
    this.#deps.expectedToken().then(
      (token) => {
        this.#challenge(token);
      },
      (error: unknown) => {
        this.#deps.logger.error('bridge: could not read the pairing token', { error: String(error) });
        this.#refuse('BAD_TOKEN', 'the app could not read its pairing token', claimed);
      },
    );
  }

  #challenge(token: string | undefined): void {
    const hello = this.#hello;
    if (this.#phase !== 'checking' || hello === undefined || !this.link.isOpen) return;
    if (token === undefined) {
      this.#refuse('BAD_TOKEN', 'the app has no pairing token', claimedBy(hello));
      return;
    }
    this.#token = token;
    this.#appNonce = generateNonce();
    const proof = handshakeProof(token, 'app', this.#deps.endpoint, hello.nonce, this.#appNonce);
    this.#phase = 'auth';
    this.#arm('AUTH_TIMEOUT', this.#deps.authTimeoutMs, `no auth within ${this.#deps.authTimeoutMs} ms`);
    this.link.send({ type: 'challenge', protocol: PROTOCOL_VERSION, nonce: this.#appNonce, proof });
  }

  #onAuth(message: Record<string, unknown>, type: string | undefined): void {
    const hello = this.#hello;
    if (hello === undefined) return;
    const claimed = claimedBy(hello);
    if (type !== 'auth') {
      this.#refuse('BAD_HELLO', 'the frame after the challenge must be auth', claimed);
      return;
    }
    const parsed = Auth.safeParse(message);
    const expected = handshakeProof(this.#token, 'ea', this.#deps.endpoint, hello.nonce, this.#appNonce);
    if (!parsed.success || !proofsEqual(parsed.data.proof, expected)) {
      this.#refuse(
        'BAD_TOKEN',
        'the EA could not prove the pairing token; it re-reads Pipdesk\\token.txt before it retries',
        claimed,
      );
      return;
    }
    this.#phase = 'checking';
    // A rotation between the challenge and the auth: the proof is for a token that is no longer valid.
    this.#deps.expectedToken().then(
      (current) => {
        this.#pair(current);
      },
      () => {
        this.#refuse('BAD_TOKEN', 'the app could not read its pairing token', claimed);
      },
    );
  }

  #pair(current: string | undefined): void {
    const hello = this.#hello;
    if (hello === undefined || this.#phase !== 'checking' || !this.link.isOpen) return;
    if (current !== this.#token) {
      this.#refuse('BAD_TOKEN', 'the pairing token was rotated during the handshake', claimedBy(hello));
      return;
    }
    this.#clearTimer();
    const outcome = this.#deps.onPaired(hello, this.link);
    if ('refusal' in outcome) {
      this.#refuse(outcome.refusal, outcome.message, claimedBy(hello));
      return;
    }
    this.#session = outcome.session;
    this.#phase = 'paired';
    this.#token = '';
    this.#deps.onSettled(this);
  }

  #refuse(reason: RefusalReason, message: string, claimed: Claimed = {}): void {
    if (!this.isUnpaired) return;
    this.#clearTimer();
    this.#phase = 'done';
    this.#token = '';
    this.link.close({ type: 'refused', reason, message, supported: String(PROTOCOL_VERSION) });
    this.#deps.onRefused(reason, message, claimed);
    this.#deps.onSettled(this);
  }

  #settle(): void {
    if (!this.isUnpaired) return;
    if (this.#phase === 'auth' && this.#hello !== undefined) this.#deps.onAbandoned(claimedBy(this.#hello));
    this.#phase = 'done';
    this.#deps.onSettled(this);
  }

  #arm(reason: RefusalReason, ms: number, message: string): void {
    this.#clearTimer();
    this.#timer = setTimeout(() => {
      this.#refuse(reason, message, this.#hello === undefined ? {} : claimedBy(this.#hello));
    }, ms);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Who an EA said it was, from a hello that may not be valid. Bounded: it goes into logs. */
function claimedBy(message: Readonly<Record<string, unknown>>): Claimed {
  const account = message['account'];
  const acc = typeof account === 'object' && account !== null ? (account as Record<string, unknown>) : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 64) : undefined);
  const login = str(acc['login']);
  const server = str(acc['server']);
  const eaVersion = str(message['eaVersion']);
  return {
    ...(login === undefined ? {} : { login }),
    ...(server === undefined ? {} : { server }),
    ...(eaVersion === undefined ? {} : { eaVersion }),
  };
}
