import type { ReactNode } from 'react';
import { useTheme, type Theme } from './theme';

const choices: readonly { value: Theme; label: string }[] = [
  { value: 'light', label: 'Light' },
  { value: 'system', label: 'Auto' },
  { value: 'dark', label: 'Dark' },
];

export function ThemeToggle(): ReactNode {
  const [theme, setTheme] = useTheme();
  return (
    <div className="theme-toggle" role="group" aria-label="Colour scheme">
      {choices.map((choice) => (
        <button
          key={choice.value}
          type="button"
          aria-pressed={theme === choice.value}
          onClick={() => {
            setTheme(choice.value);
          }}
        >
          {choice.label}
        </button>
      ))}
    </div>
  );
}
