import { useEffect, useState, type ReactNode } from 'react';
import {
  describeClock,
  formatWallClock,
  serverToUtcMs,
  wallTimeAt,
} from '../../../src-core/time/clock-model';
import { selectReplayServerMs } from '../../store/session-clock';
import { useApp, useClock } from '../../store/use-app';

/**
 * The time now on the clock the screens use, with its name: the trader can tell at a glance whether the times in
 * the tables are the trade server's or their own (docs/clock-model.md). During a replay "now" is the replay's
 * clock, the time its deals and positions are stamped with (docs/replay.md).
 */
export function ClockChip(): ReactNode {
  const { zone, serverOffsetSec } = useClock();
  const replayMs = useApp(selectReplayServerMs);
  const [wallNow, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  const now = replayMs === null ? wallNow : serverToUtcMs(replayMs, serverOffsetSec);
  const name = describeClock(zone, now);
  return (
    <div
      className="clock-chip"
      data-testid="clock-chip"
      data-clock={zone.kind}
      data-replay={replayMs === null ? undefined : 'true'}
      title={`${replayMs === null ? 'Times are' : 'The replay clock. Times are'} shown in ${name}`}
    >
      <span className="num" data-testid="clock-chip-time">
        {formatWallClock(wallTimeAt(now, zone), false)}
      </span>{' '}
      <span className="muted small">{name.replace(' time', '')}</span>
    </div>
  );
}
