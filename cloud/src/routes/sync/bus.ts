import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { ConnectorCommand, ConnectorCommandResult } from '../../../../src-core/contracts/connector';
import { LiveEvent } from '../../../../src-core/contracts/cloud-sync';

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
  /** Sends a command to the instance holding the connection; false when no instance holds it. */
  publishCommand(connectionId: string, command: ConnectorCommand): Promise<boolean>;
  onCommand(handler: (connectionId: string, command: ConnectorCommand, origin: string) => void): void;
  /** True when some other instance holds a socket for this connection. */
  isHeldElsewhere(connectionId: string): Promise<boolean>;
  /** Sends a connector's answer to the instance that asked. */
  publishReply(origin: string, reply: ConnectorCommandResult): Promise<void>;
  onReply(handler: (reply: ConnectorCommandResult) => void): void;
  publishEvent(connectionId: string, event: LiveEvent): Promise<void>;
  /** Listens to a connection's live events (from any instance); returns the unsubscribe function. */
  subscribeEvents(connectionId: string, listener: (event: LiveEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** One instance: everything stays in this process. */
export class LocalBus implements SyncBus {
  readonly instanceId: string;
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
  publishCommand(): Promise<boolean> {
    return Promise.resolve(false);
  }
  // No other instance sends commands here.
  onCommand(): void {
    return undefined;
  }
  isHeldElsewhere(): Promise<boolean> {
    return Promise.resolve(false);
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
    // Commands must not wait in a queue while Redis is away: a failed publish is answered as "offline".
    this.pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    this.sub = new Redis(url, { connectTimeout: 1_000 });
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.sub.on('message', (channel: string, message: string) => {
      this.dispatch(channel, message);
    });
  }

  static async connect(
    url: string,
    prefix: string,
    instanceId: string,
    onError: (error: unknown, what: string) => void,
  ): Promise<RedisBus> {
    const bus = new RedisBus(url, prefix, instanceId, onError);
    await Promise.all([waitReady(bus.pub), waitReady(bus.sub)]);
    await bus.sub.subscribe(bus.channel('reply', instanceId));
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
      this.onError(error, `sync bus message on ${channel}`);
    }
  }

  async hold(connectionId: string): Promise<void> {
    await this.sub.subscribe(this.channel('cmd', connectionId));
  }

  async release(connectionId: string): Promise<void> {
    await this.sub.unsubscribe(this.channel('cmd', connectionId));
  }

  async publishCommand(connectionId: string, command: ConnectorCommand): Promise<boolean> {
    try {
      const receivers = await this.pub.publish(
        this.channel('cmd', connectionId),
        JSON.stringify({ origin: this.instanceId, command }),
      );
      return receivers > 0;
    } catch (error) {
      this.onError(error, 'publishing a command');
      return false;
    }
  }

  onCommand(handler: (connectionId: string, command: ConnectorCommand, origin: string) => void): void {
    this.commandHandler = handler;
  }

  async isHeldElsewhere(connectionId: string): Promise<boolean> {
    try {
      const answer: unknown[] = await this.pub.pubsub('NUMSUB', this.channel('cmd', connectionId));
      return Number(answer[1] ?? 0) > 0;
    } catch {
      return false;
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
      this.onError(error, 'publishing a live event');
    }
  }

  async subscribeEvents(connectionId: string, listener: (event: LiveEvent) => void): Promise<() => void> {
    const count = this.listenerCounts.get(connectionId) ?? 0;
    this.listenerCounts.set(connectionId, count + 1);
    if (count === 0) await this.sub.subscribe(this.channel('ev', connectionId));
    this.local.on(connectionId, listener);
    return () => {
      this.local.off(connectionId, listener);
      const left = (this.listenerCounts.get(connectionId) ?? 1) - 1;
      if (left > 0) {
        this.listenerCounts.set(connectionId, left);
        return;
      }
      this.listenerCounts.delete(connectionId);
      this.sub.unsubscribe(this.channel('ev', connectionId)).catch((error: unknown) => {
        this.onError(error, 'unsubscribing live events');
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
