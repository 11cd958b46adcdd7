import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** An axe-core finding a trader using a screen reader or the keyboard would hit, in words a failing test prints. */
export interface AxeFinding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules plus axe's best practices) on the page as it is now and answers the
 * serious and critical findings; minor and moderate ones are left to review (docs/ui.md, Accessibility).
 */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}
