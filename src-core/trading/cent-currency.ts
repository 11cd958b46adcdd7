/**
 * Cent accounts (Exness Standard Cent, FBS Cent and others) keep the balance in hundredths of a currency: the
 * terminal reports the account currency as `USC` (US cents) or `EUC` (euro cents). No symbol quotes USC against
 * USD, so conversion needs this fixed table: 1 USD = 100 USC. See docs/broker-profiles.md.
 */
const CENT_CURRENCIES: Readonly<Record<string, { readonly parent: string; readonly perParent: number }>> = {
  USC: { parent: 'USD', perParent: 100 },
  EUC: { parent: 'EUR', perParent: 100 },
};

/** The currency a cent currency is a fraction of, and how many cents make one of it; undefined if not cents. */
export function centCurrency(
  code: string,
): { readonly parent: string; readonly perParent: number } | undefined {
  return Object.hasOwn(CENT_CURRENCIES, code) ? CENT_CURRENCIES[code] : undefined;
}

/** Whether an account currency is a cent currency (money shown as cents, e.g. "1,250.00 USC"). */
export function isCentCurrency(code: string): boolean {
  return centCurrency(code) !== undefined;
}
