import { useEffect, useState } from 'react';

/** The colour scheme: `system` follows the OS. Only this preference is kept in localStorage, never a token. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'pipdesk.portal.theme';

function stored(): Theme {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = theme;
}

export function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(stored);
  useEffect(() => {
    applyTheme(theme);
    if (theme === 'system') window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, theme);
  }, [theme]);
  return [theme, setTheme];
}

/** Before React renders, so the first paint already has the right colours. */
export function initTheme(): void {
  applyTheme(stored());
}
