import { useEffect, useState, type RefObject } from 'react';

/**
 * Whether an element is in or near the visible part of the scrolling list it sits in (the closest ancestor
 * marked `data-scroll-root`). Market-watch rows and one-click panels scrolled out of sight stop following ticks:
 * with 30 symbols most of them are off screen, and their text changing ten times a second cost most of each
 * tick's layout and paint (docs/ui.md, "What keeps ticking cheap"). "Near" is half the list's height above and
 * below what shows, so a row scrolled into view already has the current price.
 */
const NEAR_MARGIN = '50% 0px';

type Listener = (isNear: boolean) => void;

interface RootWatch {
  readonly observer: IntersectionObserver;
  readonly listeners: Map<Element, Listener>;
}

/** One observer per scrolling list, shared by all its rows. */
const watches = new WeakMap<Element, RootWatch>();

function watchNearView(root: Element, target: Element, listener: Listener): () => void {
  let watch = watches.get(root);
  if (watch === undefined) {
    const listeners = new Map<Element, Listener>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) listeners.get(entry.target)?.(entry.isIntersecting);
      },
      { root, rootMargin: NEAR_MARGIN },
    );
    watch = { observer, listeners };
    watches.set(root, watch);
  }
  const { observer, listeners } = watch;
  listeners.set(target, listener);
  observer.observe(target);
  return () => {
    observer.unobserve(target);
    listeners.delete(target);
  };
}

/**
 * True while the element is in or near view; true until the first observation, and always where there is no
 * scrolling list around it or no IntersectionObserver, so nothing goes stale by default.
 */
export function useIsNearView(ref: RefObject<Element | null>): boolean {
  const [isNear, setIsNear] = useState(true);
  useEffect(() => {
    const target = ref.current;
    const root = target?.closest('[data-scroll-root]');
    if (
      target === null ||
      root === null ||
      root === undefined ||
      typeof IntersectionObserver !== 'function'
    ) {
      return undefined;
    }
    return watchNearView(root, target, setIsNear);
  }, [ref]);
  return isNear;
}
