/** A day range typed as two dates on the account's clock (`yyyy-mm-dd`, empty when not chosen). */
export interface CustomDays {
  readonly from: string;
  readonly to: string;
}

/**
 * The period select of the History and Report tabs, with the two date fields of a custom range (both tabs read
 * the same deals over the same kinds of period, so they ask the same way). Test ids are `<testIdPrefix>-period`,
 * `-from` and `-to`.
 */
export function PeriodPicker<P extends string>(props: {
  readonly periods: readonly { readonly id: P; readonly label: string }[];
  readonly period: P;
  readonly onPeriod: (period: P) => void;
  readonly custom: CustomDays;
  readonly onCustom: (custom: CustomDays) => void;
  /** Which clock the dates are on, for the fields' names ("server", "local"). */
  readonly clockSuffix: string;
  readonly label: string;
  readonly testIdPrefix: string;
}) {
  const { periods, period, onPeriod, custom, onCustom, clockSuffix, label, testIdPrefix } = props;
  return (
    <>
      <select
        value={period}
        aria-label={label}
        data-testid={`${testIdPrefix}-period`}
        onChange={(e) => {
          const chosen = periods.find((p) => p.id === e.target.value);
          if (chosen !== undefined) onPeriod(chosen.id);
        }}
      >
        {periods.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
      </select>
      {period === 'custom' ? (
        <>
          <input
            type="date"
            aria-label={`From (${clockSuffix} time)`}
            value={custom.from}
            data-testid={`${testIdPrefix}-from`}
            onChange={(e) => {
              onCustom({ ...custom, from: e.target.value });
            }}
          />
          <input
            type="date"
            aria-label={`To (${clockSuffix} time)`}
            value={custom.to}
            data-testid={`${testIdPrefix}-to`}
            onChange={(e) => {
              onCustom({ ...custom, to: e.target.value });
            }}
          />
        </>
      ) : null}
    </>
  );
}
