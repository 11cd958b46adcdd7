import { randomUUID } from 'node:crypto';
import type {
  OpenSplitOrder,
  SplitOrderResult,
  SplitPartResult,
} from '../../../src-core/contracts/ipc-trade-rules';
import {
  toOrderAnswer,
  type ExecutionResult,
  type OpenMarketOrder,
} from '../../../src-core/contracts/orders';
import { err, ok, type Result } from '../../../src-core/result';
import { splitVolume } from '../../../src-core/trading/split-volume';
import type { SymbolSpec } from '../../../src-core/trading/symbol-spec';

/** What {@link openSplit} needs: the symbol's spec and the executor's `checkTradeRisk` and `openMarket`. */
export interface OpenSplitDeps {
  spec(symbol: string): Promise<Result<SymbolSpec>>;
  checkTradeRisk(input: OpenMarketOrder): Promise<Result<void>>;
  openMarket(input: OpenMarketOrder): Promise<ExecutionResult>;
}

/**
 * Opens a trade as one market order per part (docs/trade-management.md, "Multiple take-profits"): volumes from
 * `splitVolume` (rounded down, never above the request, refused below the minimum), the same SL, each part's own
 * TP, each part a journalled order with its own client order id and request key `<key>:<part>`. Parts go one
 * after another; the first part that is refused or uncertain stops the rest (an uncertain part must never be
 * followed blindly), and the answer says exactly which parts opened.
 */
export async function openSplit(
  deps: OpenSplitDeps,
  input: OpenSplitOrder,
): Promise<Result<SplitOrderResult>> {
  const spec = await deps.spec(input.symbol);
  if (!spec.ok) return spec;
  const split = splitVolume(
    input.volume,
    input.parts.map((p) => p.percent),
    spec.value,
  );
  if (!split.ok) return err(split.error);
  const n = split.value.length;
  // One trade to the maximum risk per trade: parts that are each within it may not be together, so the sum is
  // checked before any part is sent (each part is checked again, with every limit, when it is sent).
  const decimals = volumeDecimals(spec.value);
  const total = Number(split.value.reduce((a, p) => a + p.volume, 0).toFixed(decimals));
  const whole = await deps.checkTradeRisk({
    symbol: input.symbol,
    side: input.side,
    volume: total,
    ...(input.sl === undefined ? {} : { sl: input.sl }),
  });
  if (!whole.ok) {
    return err({
      ...whole.error,
      message: `All ${n} parts together (${total.toFixed(decimals)} lots): ${whole.error.message} Nothing was sent.`,
    });
  }
  // Always keyed: two parts with the same volume and TP would otherwise look like a double click to the executor.
  const key = input.requestKey ?? `split-${randomUUID()}`;
  const results: SplitPartResult[] = [];
  let stoppedAt: SplitPartResult | undefined;
  for (const [i, part] of split.value.entries()) {
    const tp = input.parts[i]?.tp;
    if (tp === undefined) break;
    const base = { part: i + 1, percent: part.percent, volume: part.volume, tp };
    if (stoppedAt !== undefined) {
      results.push({ ...base, status: 'not_sent' });
      continue;
    }
    const result = await deps.openMarket({
      symbol: input.symbol,
      side: input.side,
      volume: part.volume,
      tp,
      ...(input.sl === undefined ? {} : { sl: input.sl }),
      ...(input.deviation === undefined ? {} : { deviation: input.deviation }),
      comment: `split ${i + 1}/${n}`,
      requestKey: `${key}:${i + 1}`,
    });
    const answer = toOrderAnswer(result);
    if (answer.ok) {
      results.push({ ...base, status: 'opened', success: answer.value });
    } else {
      stoppedAt = {
        ...base,
        status: answer.error.code === 'OUTCOME_UNKNOWN' ? 'unknown' : 'refused',
        failure: answer.error,
      };
      results.push(stoppedAt);
    }
  }
  return ok({
    isComplete: stoppedAt === undefined,
    message: describeSplit(results, spec.value),
    parts: results,
  });
}

/** One sentence that says which parts opened, which one failed and why, and which were not sent. */
export function describeSplit(
  parts: readonly SplitPartResult[],
  spec: Pick<SymbolSpec, 'volumeStep'>,
): string {
  const decimals = volumeDecimals(spec);
  const lots = (list: readonly SplitPartResult[]): string =>
    list.reduce((a, p) => a + p.volume, 0).toFixed(decimals);
  const opened = parts.filter((p) => p.status === 'opened');
  const all = `${lots(parts)} lots`;
  if (opened.length === parts.length) return `Opened all ${parts.length} parts (${all}).`;
  const words = [`Opened ${opened.length} of ${parts.length} parts (${lots(opened)} of ${all}).`];
  const failed = parts.find((p) => p.status === 'refused' || p.status === 'unknown');
  if (failed?.failure !== undefined) {
    words.push(
      failed.status === 'unknown'
        ? `Part ${failed.part} may have opened; Pipdesk is checking with the terminal: ${failed.failure.message}`
        : `Part ${failed.part} was refused: ${failed.failure.message}`,
    );
  }
  const notSent = parts.filter((p) => p.status === 'not_sent').map((p) => p.part);
  if (notSent.length > 0) words.push(`Not sent: part${notSent.length > 1 ? 's' : ''} ${notSent.join(', ')}.`);
  return words.join(' ');
}

/** Decimals to show a volume on the symbol's step with (at least 2). */
function volumeDecimals(spec: Pick<SymbolSpec, 'volumeStep'>): number {
  return Math.max(2, -Math.floor(Math.log10(spec.volumeStep) + 1e-9));
}
