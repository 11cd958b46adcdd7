import type { z } from 'zod';
import type { PaperCosts, PaperStatus, paperIpcChannels } from '../../../src-core/contracts/ipc-paper';
import type { Logger } from '../../../src-core/logger';
import { appError, err, ok, type Result } from '../../../src-core/result';
import {
  PAPER_EA_VERSION,
  startPaperAccount,
  type PaperAccount,
  type PaperAccountOptions,
} from './paper-account';
import type { PaperStore } from './paper-store';
import type { PriceSource } from './price-source';

/** A terminal session as the paper service needs to see it. */
export interface SessionInfo {
  readonly key: string;
  readonly eaVersion: string;
  readonly openedAt: number;
}

/** Options of {@link createPaperService}. */
export interface PaperServiceOptions {
  /** The app's pipe and the token file the EAs read (so a rotated token is picked up like an EA does). */
  readonly path: string;
  readonly tokenFile: string;
  readonly store: PaperStore;
  readonly logger: Logger;
  /** The open terminal sessions. */
  readonly sessions: () => readonly SessionInfo[];
  /** The session trading goes to now. */
  readonly activeKey: () => string | undefined;
  /** Makes a session the one trading goes to (the explicit switch). */
  readonly select: (key: string) => Result<unknown>;
  /** A read-only price source over a live session: all the paper engine gets of the real terminal. */
  readonly priceSource: (key: string) => PriceSource;
  /** Called whenever a session opens. Returns unsubscribe. */
  readonly onSessionOpened: (listener: (key: string) => void) => () => void;
  readonly onStatus: (status: PaperStatus) => void;
  /** Balance of a new paper account when `open` names none (default 10,000). */
  readonly startingBalance?: number;
}

/** The paper service: opens, closes and resets the paper account; its IPC handlers come from it. */
export interface PaperService {
  status(): PaperStatus;
  /** Whether a session key is (or was) a paper account of this app; journal rows and the status use it. */
  isPaperKey(key: string): boolean;
  open(startingBalance?: number): Promise<Result<PaperStatus>>;
  close(): Promise<Result<PaperStatus>>;
  reset(): Promise<Result<PaperStatus>>;
  /** Sets the running paper account's commission and slippage (docs/paper-trading.md, "Costs"). */
  setCosts(costs: PaperCosts): Result<PaperStatus>;
  /** Saves and stops the paper account (app shutdown). */
  dispose(): Promise<void>;
}

const isSimulator = (s: SessionInfo): boolean => s.eaVersion.startsWith('sim');
const isPaperSession = (s: SessionInfo): boolean => s.eaVersion === PAPER_EA_VERSION;

/**
 * Runs the app's paper account (docs/paper-trading.md). One paper account per live terminal, saved in SQLite; it
 * opens only when asked (or, after a restart, again in the background once its live terminal is back, without
 * becoming the active account), and trading goes to it only by an explicit switch.
 */
export function createPaperService(options: PaperServiceOptions): PaperService {
  const { store, logger } = options;
  let running: PaperAccount | null = null;
  let starting: Promise<PaperAccount> | null = null;

  const liveSessions = (): SessionInfo[] =>
    options.sessions().filter((s) => !isSimulator(s) && !isPaperSession(s) && !isPaperKey(s.key));

  /** The live terminal a paper account follows: the running one's, else the active live one, else the newest. */
  const sourceKey = (): string | undefined => {
    if (running !== null) return running.config.sourceKey;
    const live = liveSessions();
    const active = options.activeKey();
    if (active !== undefined && live.some((s) => s.key === active)) return active;
    return live.reduce<SessionInfo | undefined>(
      (a, b) => (a === undefined || b.openedAt >= a.openedAt ? b : a),
      undefined,
    )?.key;
  };

  function isPaperKey(key: string): boolean {
    return running?.key === key || store.keys().includes(key);
  }

  const status = (): PaperStatus => {
    const source = sourceKey();
    return {
      key: running?.key ?? null,
      sourceKey: source ?? null,
      canOpen: source !== undefined && liveSessions().some((s) => s.key === source),
      hasSaved: source !== undefined && store.findBySource(source) !== undefined,
      costs: running?.costs() ?? null,
    };
  };
  const announce = (): PaperStatus => {
    const s = status();
    options.onStatus(s);
    return s;
  };

  const start = async (
    source: string,
    startingBalance: number | undefined,
    costs?: PaperAccountOptions['costs'],
  ): Promise<PaperAccount> => {
    if (running !== null) return running;
    starting ??= startPaperAccount({
      path: options.path,
      tokenFile: options.tokenFile,
      source: options.priceSource(source),
      store,
      logger,
      ...(startingBalance === undefined ? {} : { startingBalance }),
      ...(costs === undefined ? {} : { costs }),
      // The window reads the paper session's symbol list again on this (src-renderer/store/controller.ts).
      onSymbolsAdded: () => {
        announce();
      },
    })
      .then(async (paper) => {
        running = paper;
        await paper.waitForSession();
        return paper;
      })
      .finally(() => {
        starting = null;
      });
    return starting;
  };

  const stop = async (): Promise<void> => {
    const paper = running;
    if (paper === null) return;
    running = null;
    await paper.stop();
  };

  const failed = (error: unknown): Result<PaperStatus> => {
    logger.error('paper: operation failed', { error });
    return err(appError('PAPER_FAILED', `The paper account failed: ${String(error)}`));
  };

  // After a restart the saved paper account carries on in the background once its live terminal is back (its
  // pending orders and stops keep working); it becomes the active account only when the trader switches to it.
  const offOpened = options.onSessionOpened((key) => {
    if (running !== null || starting !== null || isPaperKey(key)) return;
    const session = options.sessions().find((s) => s.key === key);
    if (session === undefined || isSimulator(session) || isPaperSession(session)) return;
    if (store.findBySource(key) === undefined) return;
    start(key, undefined)
      .then(() => announce())
      .catch((error: unknown) => {
        logger.error('paper: resuming the saved paper account failed', { error });
      });
  });

  return {
    status,
    isPaperKey,
    async open(startingBalance) {
      const source = sourceKey();
      if (source === undefined || !liveSessions().some((s) => s.key === source)) {
        return err(
          appError(
            'PAPER_NO_SOURCE',
            'Connect a live terminal (attach the Pipdesk EA in MT5) first: the paper account fills at its prices.',
          ),
        );
      }
      try {
        const paper = await start(source, startingBalance ?? options.startingBalance);
        const selected = options.select(paper.key);
        if (!selected.ok) return selected;
        logger.info('paper: switched to the paper account', { key: paper.key });
        return ok(announce());
      } catch (error) {
        return failed(error);
      }
    },
    async close() {
      const paper = running;
      if (paper === null) return ok(announce());
      try {
        // Back to the live terminal first, so no moment leaves trading pointed at a closing paper session.
        if (
          options.activeKey() === paper.key &&
          liveSessions().some((s) => s.key === paper.config.sourceKey)
        ) {
          options.select(paper.config.sourceKey);
        }
        await stop();
        return ok(announce());
      } catch (error) {
        return failed(error);
      }
    },
    async reset() {
      const source = sourceKey();
      const saved = source === undefined ? undefined : store.findBySource(source);
      const key = running?.key ?? saved?.key;
      if (key === undefined) return ok(announce());
      const wasRunning = running !== null;
      const {
        startingBalance: balance,
        commissionPerLotPerSide,
        commissionFrom,
        slippagePoints,
      } = running?.config ?? saved?.config ?? {};
      // The costs are a setting, not part of the account's state: the fresh account keeps them.
      const costs = { commissionPerLotPerSide, commissionFrom, slippagePoints };
      try {
        // The paper session stays the selected one through the reset (same key): trading waits for it to come
        // back and is never redirected to the live terminal meanwhile.
        await stop();
        store.remove(key);
        logger.info('paper: account reset', { key });
        if (wasRunning && source !== undefined) await start(source, balance, costs);
        return ok(announce());
      } catch (error) {
        return failed(error);
      }
    },
    setCosts(costs) {
      if (running === null) {
        return err(
          appError('PAPER_FAILED', 'Open the paper account first: its costs are set while it runs.'),
        );
      }
      running.setCosts(costs);
      return ok(announce());
    },
    async dispose() {
      offOpened();
      await starting?.catch(() => undefined);
      await stop();
    },
  };
}

type Channels = typeof paperIpcChannels;
type PaperChannel = keyof Channels;

/** The handlers of the `paper:*` channels. */
export type PaperIpcHandlers = {
  readonly [K in PaperChannel]: (
    request: z.output<Channels[K]['request']>,
  ) => Result<z.output<Channels[K]['response']>> | Promise<Result<z.output<Channels[K]['response']>>>;
};

export function paperIpcHandlers(paper: PaperService): PaperIpcHandlers {
  return {
    'paper:get-status': () => ok(paper.status()),
    'paper:open': (request) => paper.open(request.startingBalance),
    'paper:close': () => paper.close(),
    'paper:reset': () => paper.reset(),
    'paper:set-costs': (request) => paper.setCosts(request),
  };
}
