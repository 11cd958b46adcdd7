import { useEffect, useState } from 'react';

/** The time, re-read once a minute: enough for day boundaries ("today", the day's P/L) without a render per tick. */
export function useMinute(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 60_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return now;
}
