import { z } from 'zod';

/** English local government years run 1 April to 31 March and are written "2025-26". */
export const financialYearSchema = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'must be a financial year such as "2025-26"')
  .refine((value) => {
    const start = Number(value.slice(0, 4));
    return (start + 1) % 100 === Number(value.slice(5, 7));
  }, 'the second part must be the year after the first, as in "2025-26"')
  .meta({ examples: ['2025-26'] });

export const quarterSchema = z.enum(['Q1', 'Q2', 'Q3', 'Q4']);
export type Quarter = z.infer<typeof quarterSchema>;

export const isoDateSchema = z.iso.date('must be a date as YYYY-MM-DD').meta({ examples: ['2025-11-18'] });

export interface FinancialYearBounds {
  readonly firstDay: string;
  readonly lastDay: string;
}

export function financialYearBounds(financialYear: string): FinancialYearBounds {
  const start = Number(financialYear.slice(0, 4));
  return { firstDay: `${start}-04-01`, lastDay: `${start + 1}-03-31` };
}

export function financialYearOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const start = month >= 4 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** Q1 is April to June: the quarter counts from the start of the financial year. */
export function quarterOf(isoDate: string): Quarter {
  const month = Number(isoDate.slice(5, 7));
  const monthsIntoYear = (month + 8) % 12;
  return quarterSchema.options[Math.floor(monthsIntoYear / 3)] as Quarter;
}

export function quarterBounds(financialYear: string, quarter: Quarter): FinancialYearBounds {
  const start = Number(financialYear.slice(0, 4));
  const bounds: Record<Quarter, FinancialYearBounds> = {
    Q1: { firstDay: `${start}-04-01`, lastDay: `${start}-06-30` },
    Q2: { firstDay: `${start}-07-01`, lastDay: `${start}-09-30` },
    Q3: { firstDay: `${start}-10-01`, lastDay: `${start}-12-31` },
    Q4: { firstDay: `${start + 1}-01-01`, lastDay: `${start + 1}-03-31` },
  };
  return bounds[quarter];
}
