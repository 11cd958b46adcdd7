import { describe, expect, it } from 'vitest';
import type { BridgeStatus } from '../../../src-core/contracts/ipc';
import { describeBridge } from '../../store/connection-slice';
import { isPaperActive, markPaper, simulatedMark } from './PaperMark';

const status = (state: BridgeStatus['state']): BridgeStatus => ({
  state,
  reason: null,
  pipePath: '/tmp/p.sock',
  sessions: [],
  activeSessionId: null,
  isDemoRunning: false,
});

describe('PAPER marks', () => {
  it('marks texts only while the paper account is the active one', () => {
    expect(markPaper({ bridge: status('paper') }, 'Bought 0.10 EURUSD')).toBe('PAPER · Bought 0.10 EURUSD');
    for (const state of ['connected', 'demo', 'disconnected'] as const) {
      expect(markPaper({ bridge: status(state) }, 'Bought 0.10 EURUSD')).toBe('Bought 0.10 EURUSD');
      expect(isPaperActive({ bridge: status(state) })).toBe(false);
    }
    expect(isPaperActive({ bridge: null })).toBe(false);
  });

  it('marks texts REPLAY while a replay session is the active one', () => {
    expect(markPaper({ bridge: status('replay') }, 'Bought 0.10 EURUSD')).toBe('REPLAY · Bought 0.10 EURUSD');
    expect(simulatedMark({ bridge: status('replay') })).toBe('REPLAY');
    expect(isPaperActive({ bridge: status('replay') })).toBe(false);
    expect(describeBridge(status('replay'), 'open')).toMatchObject({ tone: 'replay', label: 'REPLAY' });
  });

  it('says PAPER account in the link pill', () => {
    expect(describeBridge(status('paper'), 'open')).toMatchObject({ tone: 'paper', label: 'PAPER account' });
  });
});
