/** One item of a Sentry envelope: its header and its JSON payload (or the raw text when it is not JSON). */
export interface EnvelopeItem {
  readonly header: Record<string, unknown>;
  readonly payload: unknown;
}

/** A parsed envelope: the header line and its items. */
export interface Envelope {
  readonly header: Record<string, unknown>;
  readonly items: readonly EnvelopeItem[];
}

const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
};

/**
 * Reads an envelope as the SDKs post it: a JSON header line, then per item a JSON header line and a payload
 * line (payloads here are JSON; attachments are not used). Throws when the text is not an envelope.
 */
export function parseEnvelope(text: string): Envelope {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = parseLine(lines[0] ?? '');
  if (typeof header !== 'object' || header === null) throw new Error('not an envelope: no header line');
  const items: EnvelopeItem[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    const itemHeader = parseLine(lines[i] ?? '');
    if (typeof itemHeader !== 'object' || itemHeader === null)
      throw new Error(`bad item header at line ${i}`);
    items.push({ header: itemHeader as Record<string, unknown>, payload: parseLine(lines[i + 1] ?? '') });
  }
  return { header: header as Record<string, unknown>, items };
}

/** The error events (`type: event`) of some envelopes. */
export function eventsOf(envelopes: readonly Envelope[]): Record<string, unknown>[] {
  return envelopes.flatMap((e) =>
    e.items
      .filter((item) => item.header['type'] === 'event')
      .map((item) => item.payload as Record<string, unknown>),
  );
}
