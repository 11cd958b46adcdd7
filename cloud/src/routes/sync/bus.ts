import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { ConnectorCommand, ConnectorCommandResult } from '../../../../src-core/contracts/connector';
import { LiveEvent } from '../../../../src-core/contracts/cloud-sync';

/** Whether another instance holds a connector; `unknown` when Redis cannot be asked (never read as "no"). */
export type Presence = 'elsewhere' | 'nowhere' | 'unknown';

/** What became of a command sent to the instance holding a connector. */
export type Delivery = 'sent' | 'nobody' | 'unknown';

/** Thrown when the relay between instances cannot be reached; the routes answer 503 `service_unavailable`. */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
}

/**
 * What travels between cloud instances for sync: commands to the instance that holds a connector socket,
 * the connector's answers back to the instance that asked, and live events to every instance with a portal
 * listening. One process alone uses {@link LocalBus}; several share Redis pub/sub through {@link RedisBus}.
 */
export interface SyncBus {
  readonly instanceId: string;
  /** Starts receiving commands for a connection whose socket this instance now holds. */
  hold(connectionId: string): Promise<void>;
  release(connectionId: string): Promise<void>;
  /** Sends a command to the instance holding the connection: `nobody` when none holds it. */
  publishCommand(connectionId: string, command: ConnectorCommand): Promise<Delivery>;
  onCommand(handler: (connectionId: string, command: ConnectorCommand, origin: string) => void): void;
  /** Whether some other instance holds a socket for this connection. */
  presence(connectionId: string): Promise<Presence>;
  /** `local` alone; else whether the relay is reachable now. */
  readonly health: 'up' | 'down' | 'local';
  /** Sends a connector's answer to the instance that asked. */
  publishReply(origin: string, reply: ConnectorCommandResult): Promise<void>;
  onReply(handler: (reply: ConnectorCommandResult) => void): void;
  publishEvent(connectionId: string, event: LiveEvent): Promise<void>;
  /**
   * Listens to a connection's live events (from any instance); returns the unsubscribe function. Throws
   * {@link BusUnavailableError} when the relay cannot subscribe within a second.
   */
  subscribeEvents(connectionId: string, listener: (event: LiveEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** One instance: everything stays in this process. */
export class LocalBus implements SyncBus {
  readonly instanceId: string;
  readonly health = 'local' as const;
  private readonly events = new EventEmitter();
  private replyHandler: (reply: ConnectorCommandResult) => void = () => undefined;

  constructor(instanceId: string) {
    this.instanceId = instanceId;
    this.events.setMaxListeners(0);
  }

  hold(): Promise<void> {
    return Promise.resolve();
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
  // Alone, a connection not held here is held nowhere: the hub tries its own sockets first.
  publishCommand(): Promise<Delivery> {
    return Promise.resolve('nobody');
  }
  // No other instance sends commands here.
  onCommand(): void {
    return undefined;
  }
  presence(): Promise<Presence> {
    return Promise.resolve('nowhere');
  }
  publishReply(_origin: string, reply: ConnectorCommandResult): Promise<void> {
    this.replyHandler(reply);
    return Promise.resolve();
  }
  onReply(handler: (reply: ConnectorCommandResult) => void): void {
    this.replyHandler = handler;
  }
  publishEvent(connectionId: string, event: LiveEvent): Promise<void> {
    this.events.emit(connectionId, event);
    return Promise.resolve();
  }
  subscribeEvents(connectionId: string, listener: (event: LiveEvent) => void): Promise<() => void> {
    this.events.on(connectionId, listener);
    return Promise.resolve(() => {
      this.events.off(connectionId, listener);
    });
  }
  close(): Promise<void> {
    this.events.removeAllListeners();
    return Promise.resolve();
  }
}

const CommandEnvelope = z.object({ origin: z.string().min(1).max(64), command: ConnectorCommand });

/**
 * Redis pub/sub. An instance subscribes to `sync:cmd:<connection>` only while it holds that connector, so
 * PUBLISH's receiver count says whether anyone holds it, and `PUBSUB NUMSUB` is presence that vanishes with a
 * crashed instance's Redis connection (no TTL keys to go stale). Replies go to `sync:reply:<instance>`, live
 * events to `sync:ev:<connection>` (subscribed while a portal on this instance listens).
 */
export class RedisBus implements SyncBus {
  readonly instanceId: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly local = new EventEmitter();
  private readonly listenerCounts = new Map<string, number>();
  /** Channels this instance should be subscribed to: re-subscribed whenever the subscriber (re)connects. */
  private readonly wanted = new Set<string>();
  private lastReported: 'up' | 'down' = 'up';
  private commandHandler: (connectionId: string, command: ConnectorCommand, origin: string) => void = () =>
    undefined;
  private replyHandler: (reply: ConnectorCommandResult) => void = () => undefined;

  private constructor(
    url: string,
    private readonly prefix: string,
    instanceId: string,
    private readonly onError: (error: unknown, what: string) => void,
  ) {
    this.instanceId = instanceId;
    this.local.setMaxListeners(0);
    // Nothing may wait in a queue while Redis is away: a command answers 503 at once, a subscription fails
    // at once and is made again when Redis is back (see `wanted`).
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    // autoResubscribe off: this class subscribes again itself on 'ready', with its failure handled; ioredis's own
    // resubscription drops its promise, so a connection lost right after a reconnect was an unhandled rejection.
    this.sub = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      autoResubscribe: false,
    });
    for (const redis of [this.pub, this.sub]) {
      // ioredis retries on its own; report the change of state once, not every retry.
      redis.on('error', (error: unknown) => {
        this.report('down', error);
      });
      redis.on('ready', () => {
        this.report(this.health, undefined);
      });
    }
    this.sub.on('ready', () => {
      if (this.wanted.size === 0) return;
      this.sub.subscribe(...this.wanted).catch((error: unknown) => {
        this.onError(error, 'subscribing again after Redis came back failed');
      });
    });
    this.sub.on('message', (channel: string, message: string) => {
      this.dispatch(channel, message);
    });
  }

  get health(): 'up' | 'down' {
    return this.pub.status === 'ready' && this.sub.status === 'ready' ? 'up' : 'down';
  }

  private report(state: 'up' | 'down', error: unknown): void {
    if (state === this.lastReported) return;
    this.lastReported = state;
    if (state === 'down') this.onError(error, 'lost Redis');
    else this.onError(undefined, 'reached Redis again');
  }

  private async subscribe(channel: string): Promise<void> {
    this.wanted.add(channel);
    await withTimeout(this.sub.subscribe(channel), 1_000, 'subscribe');
  }

  private async unsubscribe(channel: string): Promise<void> {
    this.wanted.delete(channel);
    await withTimeout(this.sub.unsubscribe(channel), 1_000, 'unsubscribe');
  }

  static async connect(
    url: string,
    prefix: string,
    instanceId: string,
    onError: (error: unknown, what: string) => void,
  ): Promise<RedisBus> {
    const bus = new RedisBus(url, prefix, instanceId, onError);
    await Promise.all([waitReady(bus.pub), waitReady(bus.sub)]);
    await bus.subscribe(bus.channel('reply', instanceId));
    return bus;
  }

  private channel(kind: 'cmd' | 'reply' | 'ev', id: string): string {
    return `${this.prefix}sync:${kind}:${id}`;
  }

  private dispatch(channel: string, message: string): void {
    const base = `${this.prefix}sync:`;
    if (!channel.startsWith(base)) return;
    const rest = channel.slice(base.length);
    const colon = rest.indexOf(':');
    const kind = rest.slice(0, colon);
    const id = rest.slice(colon + 1);
    try {
      const json: unknown = JSON.parse(message);
      if (kind === 'cmd') {
        const envelope = CommandEnvelope.parse(json);
        this.commandHandler(id, envelope.command, envelope.origin);
      } else if (kind === 'reply') {
        this.replyHandler(ConnectorCommandResult.parse(json));
      } else if (kind === 'ev') {
        this.local.emit(id, LiveEvent.parse(json));
      }
    } catch (error) {
      this.onError(error, `an unreadable message on ${channel} was dropped`);
    }
  }

  async hold(connectionId: string): Promise<void> {
    await this.subscribe(this.channel('cmd', connectionId));
  }

  async release(connectionId: string): Promise<void> {
    await this.unsubscribe(this.channel('cmd', connectionId));
  }

  async publishCommand(connectionId: string, command: ConnectorCommand): Promise<Delivery> {
    try {
      const receivers = await this.pub.publish(
        this.channel('cmd', connectionId),
        JSON.stringify({ origin: this.instanceId, command }),
      );
      return receivers > 0 ? 'sent' : 'nobody';
    } catch (error) {
      this.onError(error, 'publishing a command failed (answered 503)');
      return 'unknown';
    }
  }

  onCommand(handler: (connectionId: string, command: ConnectorCommand, origin: string) => void): void {
    this.commandHandler = handler;
  }

  async presence(connectionId: string): Promise<Presence> {
    try {
      const answer: unknown[] = await this.pub.pubsub('NUMSUB', this.channel('cmd', connectionId));
      return Number(answer[1] ?? 0) > 0 ? 'elsewhere' : 'nowhere';
    } catch (error) {
      this.onError(error, 'asking who holds a connector failed (answered unknown)');
      return 'unknown';
    }
  }

  async publishReply(origin: string, reply: ConnectorCommandResult): Promise<void> {
    if (origin === this.instanceId) {
      this.replyHandler(reply);
      return;
    }
    await this.pub.publish(this.channel('reply', origin), JSON.stringify(reply));
  }

  onReply(handler: (reply: ConnectorCommandResult) => void): void {
    this.replyHandler = handler;
  }

  async publishEvent(connectionId: string, event: LiveEvent): Promise<void> {
    try {
      await this.pub.publish(this.channel('ev', connectionId), JSON.stringify(event));
    } catch (error) {
      // Live events are a convenience: the portal re-reads status and journal when its stream reopens.
      this.onError(error, 'publishing a live event failed');
    }
  }

  async subscribeEvents(connectionId: string, listener: (event: LiveEvent) => void): Promise<() => void> {
    const count = this.listenerCounts.get(connectionId) ?? 0;
    if (count === 0) {
      try {
        await this.subscribe(this.channel('ev', connectionId));
      } catch (error) {
        this.wanted.delete(this.channel('ev', connectionId));
        throw new BusUnavailableError('The live relay (Redis) cannot be reached.', { cause: error });
      }
    }
    this.listenerCounts.set(connectionId, (this.listenerCounts.get(connectionId) ?? 0) + 1);
    this.local.on(connectionId, listener);
    return () => {
      this.local.off(connectionId, listener);
      const left = (this.listenerCounts.get(connectionId) ?? 1) - 1;
      if (left > 0) {
        this.listenerCounts.set(connectionId, left);
        return;
      }
      this.listenerCounts.delete(connectionId);
      this.unsubscribe(this.channel('ev', connectionId)).catch((error: unknown) => {
        this.onError(error, 'unsubscribing live events failed');
      });
    };
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Redis ${what} took more than ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('Redis did not become ready in 5 s'));
    }, 5_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
