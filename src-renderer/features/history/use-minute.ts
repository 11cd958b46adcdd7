import { useEffect, useState } from 'react';
import { selectReplayMinuteUtcMs } from '../../store/session-clock';
import { useApp } from '../../store/use-app';

/**
 * The time on the active session's clock, re-read once a minute: enough for day boundaries ("today", the day's
 * P/L) without a render per tick. During a replay it is the replay clock (docs/replay.md, "Deals and reports").
 */
export function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  const replayMinute = useApp(selectReplayMinuteUtcMs);
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 60_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return replayMinute ?? now;
}
