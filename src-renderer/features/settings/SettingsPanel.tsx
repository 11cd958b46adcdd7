import { useCallback, useRef, useState, type ReactNode } from 'react';
import { useFocusTrap } from '../../ui/use-focus-trap';
import type {
  EaInstallResult,
  Mt5Scan,
  Settings,
  SettingsPatch,
  Theme,
} from '../../../src-core/contracts/ipc';
import { formatVolume, parseNumber } from '../../app/format';
import { useApp, useBusy, useController, usePlaceError } from '../../store/use-app';
import { InlineError, NumberField, Segmented } from '../../ui/controls';
import { useOneClickSwitch } from '../one-click/use-one-click-switch';
import { ClockSetting } from './ClockSetting';
import { NotificationSettings } from '../notifications/NotificationSettings';
import { CloudSection } from './CloudSection';
import { PairingSection } from './PairingSection';
import { PaperSection } from '../paper/PaperSection';
import { RecordingSection } from './RecordingSection';

interface RiskDraft {
  readonly maxLotSize: string;
  readonly maxOpenPositions: string;
  readonly maxRiskPercent: string;
  readonly defaultVolume: string;
  readonly defaultDeviationPoints: string;
  readonly isRetryAllowed: boolean;
  readonly maxRetries: string;
}

function riskDraftOf(s: Settings): RiskDraft {
  return {
    maxLotSize: String(s.riskLimits.maxLotSize),
    maxOpenPositions: String(s.riskLimits.maxOpenPositions),
    maxRiskPercent: s.riskLimits.maxRiskPercent === null ? '' : String(s.riskLimits.maxRiskPercent),
    defaultVolume: formatVolume(s.defaultVolume),
    defaultDeviationPoints: String(s.defaultDeviationPoints),
    isRetryAllowed: s.riskLimits.isRetryAllowed,
    maxRetries: String(s.riskLimits.maxRetries),
  };
}

/** Turns the typed limits into a patch, or says which field is wrong. Exported for tests. */
export function riskPatchOf(
  d: RiskDraft,
): { ok: true; patch: SettingsPatch } | { ok: false; message: string } {
  const maxLot = parseNumber(d.maxLotSize);
  const maxPositions = parseNumber(d.maxOpenPositions);
  const maxRisk = d.maxRiskPercent.trim() === '' ? null : parseNumber(d.maxRiskPercent);
  const volume = parseNumber(d.defaultVolume);
  const deviation = parseNumber(d.defaultDeviationPoints);
  const retries = parseNumber(d.maxRetries);
  if (maxLot === null || maxLot <= 0)
    return { ok: false, message: 'Max lot size must be a positive number of lots.' };
  if (maxPositions === null || !Number.isInteger(maxPositions) || maxPositions < 1)
    return { ok: false, message: 'Max open positions must be a whole number, at least 1.' };
  if (maxRisk !== null && (maxRisk <= 0 || maxRisk > 100))
    return {
      ok: false,
      message: 'Max risk per trade is a percent above 0 and at most 100, or empty for no limit.',
    };
  if (d.maxRiskPercent.trim() !== '' && maxRisk === null)
    return {
      ok: false,
      message: 'Max risk per trade is a percent above 0 and at most 100, or empty for no limit.',
    };
  if (volume === null || volume <= 0)
    return { ok: false, message: 'Default volume must be a positive number of lots.' };
  if (deviation === null || !Number.isInteger(deviation) || deviation < 0)
    return { ok: false, message: 'Deviation is a whole number of points, 0 or more.' };
  if (retries === null || !Number.isInteger(retries) || retries < 0 || retries > 5)
    return { ok: false, message: 'Retries must be a whole number from 0 to 5.' };
  return {
    ok: true,
    patch: {
      riskLimits: {
        maxLotSize: maxLot,
        maxOpenPositions: maxPositions,
        maxRiskPercent: maxRisk,
        isRetryAllowed: d.isRetryAllowed,
        maxRetries: retries,
      },
      defaultVolume: volume,
      defaultDeviationPoints: deviation,
    },
  };
}

function RiskSection(props: { settings: Settings }): ReactNode {
  const controller = useController();
  const setError = useApp((s) => s.setError);
  const error = usePlaceError('settings-risk');
  const [draft, setDraft] = useState<RiskDraft>(() => riskDraftOf(props.settings));
  const [saved, setSaved] = useState(false);
  const patch = (p: Partial<RiskDraft>): void => {
    setSaved(false);
    setDraft({ ...draft, ...p });
  };
  return (
    <section className="settings-section">
      <h3>Risk limits and defaults</h3>
      <p className="muted small">
        The executor refuses any order that breaks these, and says which limit and by how much.
      </p>
      <div className="form-grid">
        <NumberField
          label="Max lot size"
          suffix="lots"
          value={draft.maxLotSize}
          testId="settings-max-lot"
          onChange={(v) => {
            patch({ maxLotSize: v });
          }}
        />
        <NumberField
          label="Max open positions"
          value={draft.maxOpenPositions}
          testId="settings-max-positions"
          onChange={(v) => {
            patch({ maxOpenPositions: v });
          }}
        />
        <NumberField
          label="Max risk per trade"
          suffix="% equity"
          placeholder="no limit"
          value={draft.maxRiskPercent}
          testId="settings-max-risk"
          onChange={(v) => {
            patch({ maxRiskPercent: v });
          }}
        />
        <NumberField
          label="Default volume"
          suffix="lots"
          value={draft.defaultVolume}
          testId="settings-default-volume"
          onChange={(v) => {
            patch({ defaultVolume: v });
          }}
        />
        <NumberField
          label="Deviation"
          suffix="points"
          value={draft.defaultDeviationPoints}
          testId="settings-deviation"
          onChange={(v) => {
            patch({ defaultDeviationPoints: v });
          }}
        />
        <NumberField
          label="Max retries"
          value={draft.maxRetries}
          testId="settings-max-retries"
          onChange={(v) => {
            patch({ maxRetries: v });
          }}
        />
      </div>
      <label className="toggle">
        <input
          type="checkbox"
          checked={draft.isRetryAllowed}
          onChange={(e) => {
            patch({ isRetryAllowed: e.target.checked });
          }}
        />
        <span>Retry a requote with a fresh price</span>
      </label>
      <div className="row">
        <button
          type="button"
          className="btn accent"
          data-testid="settings-save-risk"
          onClick={() => {
            const result = riskPatchOf(draft);
            if (!result.ok) {
              setError('settings-risk', result.message);
              return;
            }
            void controller.updateSettings('settings-risk', result.patch).then(setSaved);
          }}
        >
          Save limits
        </button>
        {saved ? <span className="ok-text small">Saved.</span> : null}
      </div>
      <InlineError message={error} testId="settings-risk-error" />
    </section>
  );
}

function ConnectionSection(): ReactNode {
  const controller = useController();
  const bridge = useApp((s) => s.bridge);
  const demoError = usePlaceError('demo');
  const isDemoBusy = useBusy('demo');
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const endpoint = bridge?.pipePath;
  // Read-only: the pipe name is random per install and written to pipe.txt, which the EA reads; a name typed here
  // would part the app from its EAs (docs/bridge-protocol.md, "Pairing token and pipe name"). The settings field
  // stays in the schema so older settings files load unchanged.
  return (
    <section className="settings-section">
      <h3>Connection to MT5</h3>
      <div className="row">
        <span className="field grow">
          <span className="field-label">Listening on (the EA reads this from pipe.txt; nothing to type)</span>
          <code data-testid="settings-pipe">{endpoint ?? '…'}</code>
        </span>
        <button
          type="button"
          className="btn small"
          data-testid="settings-copy-pipe"
          disabled={endpoint === undefined}
          onClick={() => {
            if (endpoint === undefined) return;
            navigator.clipboard.writeText(endpoint).then(
              () => {
                setCopied('yes');
              },
              () => {
                setCopied('no');
              },
            );
          }}
        >
          Copy
        </button>
        {copied === null ? null : (
          <span className="muted small" data-testid="settings-copy-pipe-result">
            {copied === 'yes' ? 'Copied.' : 'The browser refused the clipboard: select the name to copy it.'}
          </span>
        )}
      </div>
      {bridge?.state === 'disconnected' && bridge.reason !== null ? (
        <p className="muted small">{bridge.reason}</p>
      ) : null}
      <PairingSection />
      <PaperSection />
      {bridge !== null && bridge.sessions.length > 0 ? (
        <ul className="session-list">
          {bridge.sessions.map((s) => (
            <li key={s.id} className={s.id === bridge.activeSessionId ? 'active' : ''}>
              <span className="sym">{s.login}</span> @ {s.server} · {s.company} ·{' '}
              {s.isSimulator ? 'simulator' : `EA ${s.eaVersion}`}
              {s.isTradeAllowed ? null : <span className="warn-text"> · Algo Trading is off in MT5</span>}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row">
        {bridge?.isDemoRunning === true ? (
          <button
            type="button"
            className="btn"
            data-testid="settings-stop-demo"
            onClick={() => {
              void controller.stopDemo();
            }}
          >
            Stop demo
          </button>
        ) : (
          <button
            type="button"
            className="btn accent"
            data-testid="settings-start-demo"
            disabled={isDemoBusy}
            onClick={() => {
              void controller.startDemo();
            }}
          >
            {isDemoBusy ? 'Starting…' : 'Start demo (simulator)'}
          </button>
        )}
        <span className="muted small">
          The demo runs a built-in MT5 simulator: try everything, no real money moves.
        </span>
      </div>
      <InlineError message={demoError} testId="settings-demo-error" />
    </section>
  );
}

function InstallerSection(): ReactNode {
  const controller = useController();
  const setError = useApp((s) => s.setError);
  const error = usePlaceError('installer');
  const [scan, setScan] = useState<Mt5Scan | null>(null);
  const [result, setResult] = useState<EaInstallResult | null>(null);
  const [isBusy, setBusy] = useState(false);
  const find = async (): Promise<void> => {
    setBusy(true);
    const answer = await controller.client.invoke('installer:find-terminals');
    setBusy(false);
    if (!answer.ok) {
      setError('installer', answer.error.message);
      return;
    }
    setError('installer', null);
    setScan(answer.value);
  };
  const install = async (dataPath: string): Promise<void> => {
    setBusy(true);
    const answer = await controller.client.invoke('installer:install-ea', { dataPath });
    setBusy(false);
    if (!answer.ok) {
      setError('installer', answer.error.message);
      return;
    }
    setError('installer', null);
    setResult(answer.value);
    await find();
  };
  return (
    <section className="settings-section" data-testid="installer">
      <h3>Install the EA into MT5</h3>
      <p className="muted small">
        Finds MetaTrader 5 data folders on this computer and copies the Pipdesk bridge EA into each one you
        choose.
      </p>
      <button
        type="button"
        className="btn"
        data-testid="installer-find"
        disabled={isBusy}
        onClick={() => {
          void find();
        }}
      >
        {isBusy ? 'Working…' : 'Find MT5 terminals'}
      </button>
      {scan === null ? null : !scan.isSupported ? (
        <p className="note" data-testid="installer-unsupported">
          MetaTrader 5 runs on Windows; nothing to install on this system. Searched:{' '}
          <code>{scan.searchedPath}</code>
        </p>
      ) : scan.terminals.length === 0 ? (
        <p className="note" data-testid="installer-none">
          No MT5 data folder found under <code>{scan.searchedPath}</code>. Start MT5 once, then search again.
        </p>
      ) : (
        <ul className="terminal-list" data-testid="installer-terminals">
          {scan.terminals.map((t) => (
            <li key={t.dataPath}>
              <div>
                <div>{t.label}</div>
                <code className="small">{t.dataPath}</code>
              </div>
              <button
                type="button"
                className="btn small accent"
                disabled={isBusy}
                onClick={() => {
                  void install(t.dataPath);
                }}
              >
                {t.isEaInstalled ? 'Reinstall' : 'Install EA'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {result === null ? null : (
        <div className="note" data-testid="installer-result">
          <div>Installed {result.installedFiles.length} file(s). Next, in MT5:</div>
          <ol>
            {result.nextSteps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
      )}
      <InlineError message={error} testId="installer-error" />
    </section>
  );
}

/** Settings as a side sheet: trading, risk limits, connection, cloud, EA installer, theme. */
export function SettingsPanel(): ReactNode {
  const settings = useApp((s) => s.settings);
  const isOpen = useApp((s) => s.isSettingsOpen);
  const setOpen = useApp((s) => s.setSettingsOpen);
  const controller = useController();
  const switchOneClick = useOneClickSwitch('settings');
  const error = usePlaceError('settings');
  const sheetRef = useRef<HTMLElement>(null);
  const close = useCallback(() => {
    setOpen(false);
  }, [setOpen]);
  useFocusTrap(sheetRef, isOpen, close);
  if (!isOpen) return null;
  return (
    <div
      className="sheet-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) setOpen(false);
      }}
    >
      <aside
        ref={sheetRef}
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-label="Settings"
        data-testid="settings"
      >
        <div className="sheet-head">
          <h2>Settings</h2>
          <button
            type="button"
            className="icon-btn"
            aria-label="Close settings"
            data-testid="settings-close"
            onClick={() => {
              setOpen(false);
            }}
          >
            ×
          </button>
        </div>
        {settings === null ? (
          <p className="muted">Loading settings…</p>
        ) : (
          <>
            <section className="settings-section">
              <h3>Trading</h3>
              <label className="toggle">
                <input
                  type="checkbox"
                  checked={settings.isOneClickEnabled}
                  data-testid="settings-one-click"
                  onChange={(e) => {
                    switchOneClick(e.target.checked);
                  }}
                />
                <span>One-click trading (when off, every order asks for confirmation)</span>
              </label>
              <div className="row">
                <span className="field-label">Theme</span>
                <Segmented<Theme>
                  value={settings.theme}
                  testId="settings-theme"
                  options={[
                    { value: 'dark', label: 'Dark' },
                    { value: 'light', label: 'Light' },
                    { value: 'system', label: 'System' },
                  ]}
                  onChange={(theme) => {
                    void controller.updateSettings('settings', { theme });
                  }}
                />
              </div>
              <ClockSetting />
              <InlineError message={error} testId="settings-error" />
            </section>
            <RiskSection settings={settings} />
            <NotificationSettings settings={settings} />
            <ConnectionSection />
            <RecordingSection settings={settings} />
            <CloudSection />
            <InstallerSection />
          </>
        )}
      </aside>
    </div>
  );
}
