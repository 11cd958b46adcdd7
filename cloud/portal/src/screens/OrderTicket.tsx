import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { describeError, hasCode } from '../api/api-error';
import { RemoteOrderResponse, type RemoteOrderRequest, type RemoteOrderResult } from '../api/schemas';
import { api } from '../session/session';
import { Button, Card, Field, Notice } from '../ui/Controls';

type Outcome =
  | { kind: 'result'; result: RemoteOrderResult }
  | { kind: 'unknown'; message: string }
  | { kind: 'error'; message: string };

/**
 * A market ticket sent to the desktop that holds this connection; it runs through the desktop's executor with
 * all its checks and risk limits. Each click gets a fresh request key; a timeout is shown as an unknown outcome
 * and never retried on its own.
 */
export function OrderTicket(props: {
  connectionId: string;
  /** The desktop's active account is its paper account: orders fill there, never at the broker. */
  isPaper?: boolean;
  onPlaced?: () => void;
}): ReactNode {
  const [side, setSide] = useState<'buy' | 'sell'>('buy');
  const [symbol, setSymbol] = useState('EURUSD');
  const [volume, setVolume] = useState('0.10');
  const [sl, setSl] = useState('');
  const [tp, setTp] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const submit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault();
    const lots = Number(volume);
    if (!Number.isFinite(lots) || lots <= 0) {
      setOutcome({ kind: 'error', message: 'Enter a volume in lots, e.g. 0.10.' });
      return;
    }
    const input: Extract<RemoteOrderRequest['intent'], { operation: 'open_market' }>['input'] = {
      symbol: symbol.trim().toUpperCase(),
      side,
      volume: lots,
    };
    const slPips = Number(sl);
    const tpPips = Number(tp);
    if (sl !== '' && slPips > 0) input.sl = { pips: slPips };
    if (tp !== '' && tpPips > 0) input.tp = { pips: tpPips };
    const body: RemoteOrderRequest = {
      request_key: crypto.randomUUID(),
      intent: { operation: 'open_market', input },
    };
    setBusy(true);
    setOutcome(null);
    const answer = await api.call(
      'POST',
      `/connections/${encodeURIComponent(props.connectionId)}/orders`,
      RemoteOrderResponse,
      body,
    );
    setBusy(false);
    if (answer.ok) {
      setOutcome({ kind: 'result', result: answer.value.result });
      props.onPlaced?.();
    } else if (hasCode(answer.error, 'outcome_unknown') || answer.error.status === 0) {
      setOutcome({
        kind: 'unknown',
        message:
          answer.error.status === 0
            ? 'The connection dropped before the answer came. The order may or may not have been executed: check the journal before trying again.'
            : answer.error.message,
      });
    } else setOutcome({ kind: 'error', message: describeError(answer.error) });
  };

  return (
    <Card
      title={props.isPaper === true ? 'Remote ticket · PAPER' : 'Remote ticket'}
      subtitle={
        props.isPaper === true
          ? "Fills in your desktop's paper account at live prices; nothing reaches your broker."
          : 'Runs in your terminal through your desktop, with its risk limits.'
      }
      testId="ticket"
    >
      <form
        className="stack"
        onSubmit={(e) => {
          void submit(e);
        }}
      >
        <div className="segmented" role="group" aria-label="Side">
          <button
            type="button"
            className="buy"
            aria-pressed={side === 'buy'}
            onClick={() => {
              setSide('buy');
            }}
          >
            Buy
          </button>
          <button
            type="button"
            className="sell"
            aria-pressed={side === 'sell'}
            onClick={() => {
              setSide('sell');
            }}
          >
            Sell
          </button>
        </div>
        <div className="grid-2" style={{ gap: 12 }}>
          <Field
            label="Symbol"
            name="symbol"
            required
            value={symbol}
            onChange={(e) => {
              setSymbol(e.target.value);
            }}
          />
          <Field
            label="Volume (lots)"
            name="volume"
            inputMode="decimal"
            required
            value={volume}
            onChange={(e) => {
              setVolume(e.target.value);
            }}
          />
          <Field
            label="Stop loss (pips)"
            name="sl"
            inputMode="decimal"
            placeholder="none"
            value={sl}
            onChange={(e) => {
              setSl(e.target.value);
            }}
          />
          <Field
            label="Take profit (pips)"
            name="tp"
            inputMode="decimal"
            placeholder="none"
            value={tp}
            onChange={(e) => {
              setTp(e.target.value);
            }}
          />
        </div>
        <Button type="submit" variant={side} block busy={busy}>
          {props.isPaper === true ? 'PAPER · ' : ''}
          {side === 'buy' ? 'Buy' : 'Sell'} {volume} {symbol.toUpperCase()} at market
        </Button>
        {outcome === null ? null : <OutcomeNotice outcome={outcome} />}
      </form>
    </Card>
  );
}

function OutcomeNotice(props: { outcome: Outcome }): ReactNode {
  const o = props.outcome;
  if (o.kind === 'unknown') {
    return (
      <Notice tone="warn" testId="ticket-outcome">
        <strong>Outcome unknown.</strong> {o.message}
      </Notice>
    );
  }
  if (o.kind === 'error') {
    return (
      <Notice tone="error" testId="ticket-outcome">
        {o.message}
      </Notice>
    );
  }
  const r = o.result;
  return (
    <Notice tone={r.ok ? 'success' : 'error'} testId="ticket-outcome">
      <strong>{r.ok ? 'Done.' : 'Not executed.'}</strong> {r.message}
      {r.code === null || r.ok ? null : <span className="faint mono"> ({r.code})</span>}
    </Notice>
  );
}
