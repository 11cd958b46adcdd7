import { useEffect, useState, type ReactNode } from 'react';
import type { Settings } from '../../../src-core/contracts/ipc';
import type { RecordingFile, RecordingStatus } from '../../../src-core/contracts/ipc-recording';
import { useController, usePlaceError } from '../../store/use-app';
import { InlineError } from '../../ui/controls';

const REFRESH_MS = 3_000;

const megabytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

const STATE_WORDS: Record<RecordingStatus['state'], string> = {
  off: 'Off.',
  recording: 'Recording the live terminal’s ticks.',
  full: 'Not recording: a size limit is reached.',
  failed: 'Not recording: a write failed.',
};

/**
 * Settings → Recording ticks: the switch (off by default), what the recorder is doing, and the recorded days that
 * a replay or `npm run backtest -- --data` can open. See docs/user-guide.md, "Recording ticks".
 */
export function RecordingSection(props: { settings: Settings }): ReactNode {
  const controller = useController();
  const error = usePlaceError('recording');
  const isOn = props.settings.isTickRecordingEnabled === true;
  const [view, setView] = useState<{ status: RecordingStatus; files: RecordingFile[] } | null>(null);
  useEffect(() => {
    let isCurrent = true;
    const load = (): void => {
      void controller.loadRecordings().then((loaded) => {
        if (isCurrent) setView(loaded);
      });
    };
    load();
    // While it records, the sizes and the days move: read them again now and then while Settings is open.
    const timer = isOn ? setInterval(load, REFRESH_MS) : undefined;
    return () => {
      isCurrent = false;
      clearInterval(timer);
    };
  }, [controller, isOn]);
  const status = view?.status;
  return (
    <section className="settings-section" data-testid="settings-recording">
      <h3>Recording ticks</h3>
      <label className="toggle">
        <input
          type="checkbox"
          checked={isOn}
          data-testid="settings-recording-toggle"
          onChange={(e) => {
            void controller.updateSettings('recording', { isTickRecordingEnabled: e.target.checked });
          }}
        />
        <span>Record the live terminal’s ticks, for replays and backtests</span>
      </label>
      {status === undefined ? null : (
        <p className="muted small" data-testid="settings-recording-status">
          {STATE_WORDS[isOn ? status.state : 'off']} {status.message ?? ''} One file a day in{' '}
          <code>{status.dir}</code>; {megabytes(status.totalBytes)} of {megabytes(status.maxTotalBytes)} used,
          at most {megabytes(status.maxFileBytes)} a day.
        </p>
      )}
      {view === null || view.files.length === 0 ? null : (
        <ul className="muted small" data-testid="settings-recording-files">
          {view.files.slice(0, 7).map((f) => (
            <li key={f.name}>
              {f.name} · {megabytes(f.bytes)}
            </li>
          ))}
        </ul>
      )}
      <InlineError message={error} testId="settings-recording-error" />
    </section>
  );
}
