import { describe, expect, it } from 'vitest';
import type { BridgeStatus } from '../../src-core/contracts/ipc';
import type { ReplayStatus } from '../../src-core/contracts/ipc-replay';
import {
  selectReplayMinuteUtcMs,
  selectReplayServerMs,
  sessionNowUtcMs,
  sessionServerNowMs,
  sessionStartUtcMs,
} from './session-clock';

const WALL = Date.UTC(2026, 11, 3, 22, 50, 7);
const REPLAY_NOW = Date.UTC(2024, 0, 2, 0, 31, 45); // on the replay's server clock
const REPLAY_START = Date.UTC(2024, 0, 2);

const bridge = (state: BridgeStatus['state'], timeOffsetSec = 0): BridgeStatus =>
  ({
    state,
    activeSessionId: 's',
    sessions: [{ id: 's', connectedAtMs: WALL - 60_000, timeOffsetSec }],
  }) as unknown as BridgeStatus;

const replay = (state: ReplayStatus['state']): ReplayStatus => ({
  state,
  key: state === 'closed' ? null : '7@Pipdesk Replay #replay',
  file: null,
  symbols: ['EURUSD'],
  speed: 1,
  timeMs: state === 'closed' ? null : REPLAY_NOW,
  startMs: state === 'closed' ? null : REPLAY_START,
  endMs: state === 'closed' ? null : REPLAY_NOW + 3_600_000,
  ticksPlayed: 0,
  ticksTotal: 10,
});

describe('the active session’s clock', () => {
  it('is the replay clock while a replay is the active account', () => {
    const s = { bridge: bridge('replay'), replay: replay('paused'), account: null };
    expect(selectReplayServerMs(s)).toBe(REPLAY_NOW);
    expect(sessionNowUtcMs(s, WALL)).toBe(REPLAY_NOW);
    expect(sessionServerNowMs(s, WALL)).toBe(REPLAY_NOW);
    expect(selectReplayMinuteUtcMs(s)).toBe(Date.UTC(2024, 0, 2, 0, 31));
    // "This session" of a replay starts where it was opened, on its clock.
    expect(sessionStartUtcMs(s)).toBe(REPLAY_START);
    expect(sessionNowUtcMs({ ...s, replay: replay('ended') }, WALL)).toBe(REPLAY_NOW);
  });

  it('turns a replay’s server-clock time into an instant with the session’s offset', () => {
    const s = { bridge: bridge('replay', 7_200), replay: replay('playing'), account: null };
    expect(sessionNowUtcMs(s, WALL)).toBe(REPLAY_NOW - 7_200_000);
    expect(sessionServerNowMs(s, WALL)).toBe(REPLAY_NOW);
    expect(sessionStartUtcMs(s)).toBe(REPLAY_START - 7_200_000);
  });

  it('is the wall clock at the server’s offset for a terminal or a paper account', () => {
    for (const state of ['connected', 'demo', 'paper'] as const) {
      // A replay left open in the background does not move another account's clock.
      const s = { bridge: bridge(state, 10_800), replay: replay('paused'), account: null };
      expect(selectReplayServerMs(s)).toBeNull();
      expect(selectReplayMinuteUtcMs(s)).toBeNull();
      expect(sessionNowUtcMs(s, WALL)).toBe(WALL);
      expect(sessionServerNowMs(s, WALL)).toBe(WALL + 10_800_000);
      expect(sessionStartUtcMs(s)).toBe(WALL - 60_000);
    }
  });

  it('falls back to the wall clock when the replay is closed or not known yet, and has no start without a session', () => {
    expect(sessionNowUtcMs({ bridge: bridge('replay'), replay: replay('closed'), account: null }, WALL)).toBe(
      WALL,
    );
    expect(sessionNowUtcMs({ bridge: bridge('replay'), replay: null, account: null }, WALL)).toBe(WALL);
    expect(sessionStartUtcMs({ bridge: bridge('replay'), replay: null, account: null })).toBe(WALL - 60_000);
    expect(sessionStartUtcMs({ bridge: null, replay: null, account: null })).toBeNull();
    expect(sessionNowUtcMs({ bridge: null, replay: null, account: null }, WALL)).toBe(WALL);
  });
});
