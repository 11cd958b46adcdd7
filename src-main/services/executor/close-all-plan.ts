import type { JournalEntry } from '../../../src-core/contracts/journal';

/** A position a close_all set out to close. */
export interface PlannedClose {
  readonly ticket: string;
  readonly symbol: string;
}

/** The tickets a close_all set out to close, in its order (null for rows journalled before the plan was recorded). */
export function plannedCloses(parent: JournalEntry): PlannedClose[] | null {
  const req = parent.request;
  if (req === null || typeof req !== 'object' || Array.isArray(req)) return null;
  const { tickets, symbols } = req as { tickets?: unknown; symbols?: unknown };
  if (!Array.isArray(tickets)) return null;
  return tickets.map((t, i) => ({
    ticket: String(t),
    symbol: Array.isArray(symbols) && typeof symbols[i] === 'string' ? symbols[i] : '',
  }));
}

/** A close_all's child for a planned ticket, if one was journalled. */
export function childFor(children: readonly JournalEntry[], ticket: string): JournalEntry | undefined {
  return children.find((c) => c.position === ticket);
}

/**
 * The children of a close_all in the order of its plan, whatever order they were written or finished in: rows
 * written in the same millisecond tie on `createdAt`, and the journal's next key (a random id) would swap them.
 * Children whose ticket is not in the plan (none today) follow in journal order.
 */
export function inPlanOrder(
  planned: readonly PlannedClose[] | null,
  children: readonly JournalEntry[],
): JournalEntry[] {
  if (planned === null) return [...children];
  const rank = new Map<string, number>();
  planned.forEach((p, i) => {
    if (!rank.has(p.ticket)) rank.set(p.ticket, i);
  });
  const at = (c: JournalEntry): number => rank.get(c.position ?? '') ?? planned.length;
  // Array.prototype.sort is stable, so children outside the plan keep their journal order.
  return [...children].sort((a, b) => at(a) - at(b));
}
