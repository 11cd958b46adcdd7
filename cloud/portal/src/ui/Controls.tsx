import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from 'react';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger' | 'buy' | 'sell';

export function Button(
  props: ButtonHTMLAttributes<HTMLButtonElement> & {
    variant?: Variant;
    busy?: boolean;
    block?: boolean;
    small?: boolean;
  },
): ReactNode {
  const {
    variant = 'primary',
    busy = false,
    block = false,
    small = false,
    className,
    children,
    ...rest
  } = props;
  const classes = ['btn', `btn-${variant}`, block ? 'btn-block' : '', small ? 'btn-sm' : '', className ?? '']
    .filter((c) => c !== '')
    .join(' ');
  return (
    <button type="button" {...rest} className={classes} disabled={rest.disabled === true || busy}>
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

export function Field(
  props: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | null },
): ReactNode {
  const { label, hint, error, id, ...rest } = props;
  const autoId = useId();
  const inputId = id ?? autoId;
  const hasError = error !== undefined && error !== null && error !== '';
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={hasError} {...rest} />
      {hasError ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : hint === undefined ? null : (
        <span className="hint">{hint}</span>
      )}
    </div>
  );
}

export function Notice(props: {
  tone?: 'error' | 'success' | 'warn' | 'info';
  children: ReactNode;
  testId?: string;
}): ReactNode {
  const tone = props.tone ?? 'info';
  return (
    <div
      className={`notice notice-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      <div>{props.children}</div>
    </div>
  );
}

export function Card(props: {
  title?: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  footer?: ReactNode;
  children?: ReactNode;
  flush?: boolean;
  testId?: string;
}): ReactNode {
  return (
    <section className="card" data-testid={props.testId}>
      {props.title === undefined ? null : (
        <div className="card-head">
          <div>
            <h2>{props.title}</h2>
            {props.subtitle === undefined ? null : <p className="muted">{props.subtitle}</p>}
          </div>
          {props.actions}
        </div>
      )}
      {props.flush === true ? props.children : <div className="card-body">{props.children}</div>}
      {props.footer === undefined ? null : <div className="card-foot">{props.footer}</div>}
    </section>
  );
}

export function Badge(props: {
  tone?: 'ok' | 'warn' | 'danger' | 'accent' | undefined;
  children: ReactNode;
}): ReactNode {
  return (
    <span className={props.tone === undefined ? 'badge' : `badge badge-${props.tone}`}>{props.children}</span>
  );
}

export function BrandMark(): ReactNode {
  return (
    <span className="brand-mark" aria-hidden="true">
      <svg width="16" height="16" viewBox="0 0 16 16" fill="none">
        <path
          d="M2 11.5 6 7.5l3 3 5-6"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    </span>
  );
}
