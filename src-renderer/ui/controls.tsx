import { useId, type ReactNode } from 'react';

/**
 * Small shared controls. Inputs are plain text fields with `inputMode="decimal"`: a number input would drop what
 * the user typed the moment it is not a number yet ("1." or "0,5"), and nothing typed may be lost.
 */

export function NumberField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  suffix?: string | undefined;
  placeholder?: string | undefined;
  invalid?: boolean | undefined;
  title?: string | undefined;
  inputRef?: React.Ref<HTMLInputElement> | undefined;
  step?: number | undefined;
  disabled?: boolean | undefined;
}): ReactNode {
  // Kept apart from `props`: the React compiler treats an object holding a ref as a ref and bans reading it.
  const { inputRef, ...rest } = props;
  const id = useId();
  const nudge = (direction: 1 | -1): void => {
    if (rest.step === undefined) return;
    const current = Number(rest.value.replace(',', '.'));
    const base = Number.isFinite(current) ? current : 0;
    const decimals = (String(rest.step).split('.')[1] ?? '').length;
    const next = Math.max(0, base + direction * rest.step);
    rest.onChange(next.toFixed(decimals));
  };
  return (
    <label className="field" htmlFor={id} title={rest.title}>
      <span className="field-label">{rest.label}</span>
      <span className={`field-box${rest.invalid === true ? ' invalid' : ''}`}>
        <input
          id={id}
          ref={inputRef}
          className="num"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          value={rest.value}
          placeholder={rest.placeholder}
          disabled={rest.disabled}
          data-testid={rest.testId}
          onChange={(e) => {
            rest.onChange(e.target.value);
          }}
          onKeyDown={(e) => {
            if (rest.step === undefined) return;
            if (e.key === 'ArrowUp') {
              e.preventDefault();
              nudge(1);
            } else if (e.key === 'ArrowDown') {
              e.preventDefault();
              nudge(-1);
            }
          }}
        />
        {rest.suffix === undefined ? null : <span className="field-suffix">{rest.suffix}</span>}
      </span>
    </label>
  );
}

export function Segmented<T extends string>(props: {
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  testId: string;
  label?: string;
}): ReactNode {
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label} data-testid={props.testId}>
      {props.options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={o.value === props.value}
          className={o.value === props.value ? 'on' : ''}
          data-testid={`${props.testId}-${o.value}`}
          onClick={() => {
            props.onChange(o.value);
          }}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** An error in plain words, shown where it happened. */
export function InlineError(props: { message: string | undefined; testId: string }): ReactNode {
  if (props.message === undefined || props.message === '') return null;
  return (
    <div className="inline-error" role="alert" data-testid={props.testId}>
      {props.message}
    </div>
  );
}

export function Kbd(props: { children: ReactNode }): ReactNode {
  return <kbd className="kbd">{props.children}</kbd>;
}
