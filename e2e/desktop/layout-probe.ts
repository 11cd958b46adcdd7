import type { Page } from 'playwright-core';

/**
 * What a trader would see cut off in the window as it is now, in words a failing test prints (an empty list when
 * nothing is):
 * - the page wider or taller than the window (a page-wide scrollbar, or the status line pushed out of sight);
 * - any of `keyTestIds` missing, or not wholly in the window and inside every box that clips it (a scrolled
 *   table, a panel with `overflow` or paint containment), so a button half under a panel's edge counts as cut;
 * - every part of the status bar, and every visible table header, the same way, and a header whose text is
 *   cut short; a table that scrolls sideways inside its panel;
 * - a notice whose text is cut (ellipsis, or taller than its box).
 * Everything is measured in the page, in one pass, so ticking prices cannot move things between two readings.
 */
export function layoutProblems(page: Page, keyTestIds: readonly string[]): Promise<string[]> {
  return page.evaluate((keys) => {
    const problems: string[] = [];
    const slack = 1;
    const isShown = (el: Element): boolean => el.getClientRects().length > 0;
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      if (id !== null) return id;
      const text = el.textContent.trim().slice(0, 24);
      const cls = el.getAttribute('class') ?? '';
      return `${el.tagName.toLowerCase()}${cls === '' ? '' : `.${cls.split(' ')[0] ?? ''}`} "${text}"`;
    };
    const clips = (el: Element): { x: boolean; y: boolean } => {
      const style = getComputedStyle(el);
      const isPaint = /paint|strict|content/.test(style.contain);
      return {
        x: isPaint || style.overflowX !== 'visible',
        y: isPaint || style.overflowY !== 'visible',
      };
    };
    /**
     * Where `el` is cut: by the window or by the nearest ancestor that clips it; `isSidewaysOnly` for what may
     * scroll vertically in its panel (a table's headers under the settings sheet's fold) but never sideways.
     */
    const cut = (el: Element, isSidewaysOnly = false): string | null => {
      const r = el.getBoundingClientRect();
      if (r.left < -slack) return `starts left of the window (${r.left})`;
      if (r.right > innerWidth + slack)
        return `cut by the window's right edge by ${Math.round(r.right - innerWidth)} px`;
      if (!isSidewaysOnly && r.top < -slack) return `starts above the window (${r.top})`;
      if (!isSidewaysOnly && r.bottom > innerHeight + slack)
        return `cut by the window's bottom edge by ${Math.round(r.bottom - innerHeight)} px`;
      for (let a = el.parentElement; a !== null && a !== document.body; a = a.parentElement) {
        const c = clips(a);
        if (isSidewaysOnly) c.y = false;
        if (!c.x && !c.y) continue;
        const b = a.getBoundingClientRect();
        const left = b.left + a.clientLeft;
        const top = b.top + a.clientTop;
        const right = left + a.clientWidth;
        const bottom = top + a.clientHeight;
        if (c.x && (r.left < left - slack || r.right > right + slack))
          return `cut sideways by ${name(a)} (${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(left)}–${Math.round(right)})`;
        if (c.y && (r.top < top - slack || r.bottom > bottom + slack))
          return `cut vertically by ${name(a)} (${Math.round(r.top)}–${Math.round(r.bottom)} in ${Math.round(top)}–${Math.round(bottom)})`;
      }
      return null;
    };

    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > innerWidth)
      problems.push(`page is ${root.scrollWidth - innerWidth} px wider than the window`);
    if (root.scrollHeight > innerHeight)
      problems.push(`page is ${root.scrollHeight - innerHeight} px taller than the window`);
    const app = document.querySelector('[data-testid="app"]');
    if (app !== null && app.scrollHeight > app.clientHeight + slack)
      problems.push(`the window's content overflows it by ${app.scrollHeight - app.clientHeight} px`);

    for (const key of keys) {
      const el = document.querySelector(`[data-testid="${key}"]`);
      if (el === null || !isShown(el)) {
        problems.push(`${key}: not shown`);
        continue;
      }
      const where = cut(el);
      if (where !== null) problems.push(`${key}: ${where}`);
    }
    const bar = document.querySelector('[data-testid="status-bar"]');
    for (const el of bar === null ? [] : [...bar.querySelectorAll('[data-testid], button')]) {
      if (!isShown(el) || keys.includes(el.getAttribute('data-testid') ?? '')) continue;
      const where = cut(el);
      if (where !== null) problems.push(`status bar ${name(el)}: ${where}`);
    }
    // Text the status bar cuts short with an ellipsis (the link's reason once was).
    for (const el of bar === null ? [] : [...bar.querySelectorAll('*')]) {
      if (!isShown(el) || getComputedStyle(el).textOverflow !== 'ellipsis') continue;
      if (el.scrollWidth > el.clientWidth + slack) problems.push(`status bar ${name(el)}: text cut short`);
    }
    // Only headers of what is on top: a table under an open dialog is out of reach anyway.
    const modal = document.querySelector('[aria-modal="true"]');
    const scope = modal ?? document;
    for (const th of scope.querySelectorAll('th')) {
      if (!isShown(th)) continue;
      const where = cut(th, true);
      if (where !== null) problems.push(`column ${name(th)}: ${where}`);
      else if (th.scrollWidth > th.clientWidth + slack)
        problems.push(`column ${name(th)}: header text cut short`);
    }
    for (const scroll of scope.querySelectorAll('.table-scroll')) {
      if (!isShown(scroll)) continue;
      const over = scroll.scrollWidth - scroll.clientWidth;
      if (over > 0)
        problems.push(`${name(scroll.closest('[data-testid]') ?? scroll)} scrolls sideways by ${over} px`);
    }
    for (const text of document.querySelectorAll('.notice-text')) {
      if (!isShown(text)) continue;
      if (text.scrollWidth > text.clientWidth + slack || text.scrollHeight > text.clientHeight + slack)
        problems.push(`notice "${text.textContent}" is cut short`);
      const where = cut(text);
      if (where !== null) problems.push(`notice "${text.textContent}": ${where}`);
    }
    return problems;
  }, keyTestIds);
}
