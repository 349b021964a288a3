import type { SpendKind } from '../../db/tables.ts';
import { echo } from '../read/grid.ts';

type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** What ledgers and councils' own sheets write for each kind of payment, as words() leaves it. */
const KIND_WORDS: Record<SpendKind, readonly string[]> = {
  supplier: ['supplier', 'supplier payment', 'creditor', 'trade creditor', 'vendor', 'company', 'grant'],
  payroll: ['payroll', 'salary', 'salaries', 'wages', 'staff', 'staff salary', 'staff salaries', 'employee', 'pay'],
  hmrc: ['hmrc', 'hm revenue and customs', 'hm revenue customs', 'paye', 'national insurance', 'nic', 'nics', 'paye and nic', 'paye nic'],
  pension: ['pension', 'pensions', 'pension fund', 'pension contribution', 'pension contributions', 'superannuation'],
};

/**
 * A payment's kind as a sheet writes it: blank is a supplier payment (as on the form); a word
 * that says none of the kinds is a problem, since guessing would publish a salary or hide a
 * supplier.
 */
export function readSpendKind(text: string): Reading<SpendKind> {
  const said = words(text);
  if (said === '') return { ok: true, value: 'supplier' };
  for (const [kind, forms] of Object.entries(KIND_WORDS) as [SpendKind, readonly string[]][]) {
    if (forms.includes(said)) return { ok: true, value: kind };
  }
  return { ok: false, message: `${echo(text)} is not a kind of payment: write supplier, payroll, hmrc or pension (blank is supplier)` };
}

const YES = ['yes', 'y', 'true', '1', 'x'];
const NO = ['no', 'n', 'false', '0'];

/** A yes/no column (card transaction, paid to an individual): blank is no. */
export function readYesNo(text: string): Reading<boolean> {
  const said = words(text);
  if (said === '' || NO.includes(said)) return { ok: true, value: false };
  if (YES.includes(said)) return { ok: true, value: true };
  return { ok: false, message: `${echo(text)} should say yes or no (blank is no)` };
}
