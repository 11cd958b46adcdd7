import { useState, type ReactNode } from 'react';
import { describeClock, type TimeDisplay } from '../../../src-core/time/clock-model';
import { localTimeZone, useApp, useClock, useController } from '../../store/use-app';
import { Segmented } from '../../ui/controls';

/**
 * Which clock times are shown and typed in (docs/clock-model.md): the trade server's, as MT5 shows them, or this
 * computer's. Every time on screen carries the choice as its label.
 */
export function ClockSetting(): ReactNode {
  const display = useApp((s) => s.settings?.timeDisplay ?? 'server');
  const { serverOffsetSec } = useClock();
  const controller = useController();
  // The offsets as of opening the sheet; a daylight-saving change while it is open is not worth a timer.
  const [now] = useState(() => Date.now());
  return (
    <div className="row wrap">
      <span className="field-label" id="clock-setting-label">
        Times in
      </span>
      <Segmented<TimeDisplay>
        value={display}
        testId="settings-time-display"
        label="Times in"
        options={[
          { value: 'server', label: 'Server time' },
          { value: 'local', label: 'Local time' },
        ]}
        onChange={(timeDisplay) => {
          void controller.updateSettings('settings', { timeDisplay });
        }}
      />
      <span className="muted small" data-testid="settings-clocks">
        Trade server: {describeClock({ kind: 'server', offsetSec: serverOffsetSec }, now)}; this computer:{' '}
        {describeClock({ kind: 'local', timeZone: localTimeZone() }, now)} ({localTimeZone()}).
      </span>
    </div>
  );
}
