import { useEffect, useState, type ReactNode } from 'react';
import { describeClock, formatWallClock, wallTimeAt } from '../../../src-core/time/clock-model';
import { useClock } from '../../store/use-app';

/**
 * The time now on the clock the screens use, with its name: the trader can tell at a glance whether the times in
 * the tables are the trade server's or their own (docs/clock-model.md).
 */
export function ClockChip(): ReactNode {
  const { zone } = useClock();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  const name = describeClock(zone, now);
  return (
    <div
      className="clock-chip"
      data-testid="clock-chip"
      data-clock={zone.kind}
      title={`Times are shown in ${name}`}
    >
      <span className="num">{formatWallClock(wallTimeAt(now, zone), false)}</span>{' '}
      <span className="muted small">{name.replace(' time', '')}</span>
    </div>
  );
}
