import { seededRandom } from '../lib/database.ts';

/**
 * The national data set: every council's grant for three years, with lines and realistic
 * spend (monthly salaries to several payees, quarterly invoices, corrections). Each council's
 * data depends only on the seed and its own index, so a database holding one council alone
 * gets exactly the rows it has in the national one.
 */
export const NATIONAL = { organisations: 150, years: ['2025-26', '2026-27', '2027-28'] as const, seed: 20251118 };

export const CATEGORY_CODES = ['transformation', 'family_help_delivery', 'practice_workforce_ict', 'family_voice'] as const;

export interface GeneratedLine {
  readonly id: string;
  readonly ref: string;
  readonly category: (typeof CATEGORY_CODES)[number];
  readonly title: string;
  /** Pence, or null for a tbc line. */
  readonly amountPence: number | null;
}

export interface GeneratedSpend {
  readonly lineId: string;
  readonly amountPence: number;
  readonly spentOn: string;
  readonly reference: string;
  readonly supplier: string;
}

export interface GeneratedGrant {
  readonly id: string;
  readonly financialYear: string;
  readonly tranchesPence: readonly number[];
  readonly lines: readonly GeneratedLine[];
  /** Spend is produced lazily: five million entries are never all in memory at once. */
  spend(): Iterable<GeneratedSpend>;
}

export interface GeneratedOrganisation {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly grants: readonly GeneratedGrant[];
}

/** A UUID (version 4 layout) drawn from the seeded generator, so ids repeat run to run. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ['8', '9', 'a', 'b'][Math.floor(random() * 4)]!;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** Splits a whole number of pence into parts proportional to weights, exactly. */
function split(totalPence: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((totalPence * w) / sum));
  const remainder = totalPence - parts.reduce((a, b) => a + b, 0);
  if (parts.length) parts[parts.length - 1]! += remainder;
  return parts;
}

const SUPPLIERS = ['Payroll', 'Kinship Care Ltd', 'Family Help Partners CIC', 'Data Insight Ltd', 'County Health ICB', 'Police recharge', 'Training Co', 'Venue Hire'];
const TITLES = [
  'Family Help practitioners',
  'Kinship hub',
  'Multi-agency child protection team',
  'Data and performance lead',
  'Parent partnership',
  'Needs analysis',
  'Workforce training',
  'ICT integration',
  'Co-production',
  'Youth work outreach',
];

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function generateGrant(random: () => number, financialYear: string, councilIndex: number): GeneratedGrant {
  const startYear = Number(financialYear.slice(0, 4));
  const allocationPence = between(random, 900_000, 3_500_000) * 100;
  const topUp = random() < 0.4 ? between(random, 50_000, 150_000) * 100 : 0;
  const tranchesPence = topUp ? [allocationPence - topUp, topUp] : [allocationPence];
  const lineCount = between(random, 50, 300);
  const categories = Array.from({ length: lineCount }, () => {
    const r = random();
    return r < 0.15 ? 'transformation' : r < 0.7 ? 'family_help_delivery' : r < 0.92 ? 'practice_workforce_ict' : 'family_voice';
  });
  if (!categories.includes('transformation')) categories[0] = 'transformation';
  const transformationShare = 0.2 + random() * 0.09;
  const committedShare = 0.7 + random() * 0.25;
  const transformationPence = Math.floor(allocationPence * transformationShare);
  const otherPence = Math.floor(allocationPence * committedShare) - transformationPence;
  const tbc = categories.map((c) => c !== 'transformation' && random() < 0.04);
  const transformationParts = split(
    transformationPence,
    categories.filter((c) => c === 'transformation').map(() => 1 + random() * 4),
  );
  const otherParts = split(
    otherPence,
    categories.map((c, i) => (c !== 'transformation' && !tbc[i] ? 1 + random() * 4 : 0)).filter((_, i) => categories[i] !== 'transformation' && !tbc[i]),
  );
  let t = 0;
  let o = 0;
  const lines: GeneratedLine[] = categories.map((category, i) => ({
    id: seededUuid(random),
    ref: String(i + 1),
    category,
    title: `${TITLES[i % TITLES.length]} ${i + 1}`,
    amountPence: category === 'transformation' ? transformationParts[t++]! : tbc[i] ? null : otherParts[o++]!,
  }));
  const spendSeed = Math.floor(random() * 2 ** 32);

  return {
    id: seededUuid(random),
    financialYear,
    tranchesPence,
    lines,
    *spend() {
      const spendRandom = seededRandom(spendSeed);
      let transaction = 0;
      for (const line of lines) {
        // Spend never passes a line's amount, so no line's exposure exceeds what the cap allowed.
        const ceiling = line.amountPence ?? (line.category === 'transformation' ? 0 : 500_000);
        const total = Math.floor(ceiling * (0.3 + spendRandom() * 0.7));
        if (total <= 0) continue;
        const salaried = spendRandom() < 0.6;
        const payments: { pence: number; spentOn: string; supplier: string }[] = [];
        if (salaried) {
          const payees = between(spendRandom, 1, 14);
          const parts = split(
            total,
            Array.from({ length: 12 * payees }, () => 1),
          );
          parts.forEach((pence, k) => {
            const month = (Math.floor(k / payees) + 3) % 12; // April first
            const year = month >= 3 ? startYear : startYear + 1;
            payments.push({ pence, spentOn: isoDate(year, month + 1, 28), supplier: 'Payroll' });
          });
        } else {
          split(total, [1, 1, 1, 1]).forEach((pence, q) => {
            const month = [6, 9, 12, 3][q]!;
            payments.push({ pence, spentOn: isoDate(month === 3 ? startYear + 1 : startYear, month, 15), supplier: SUPPLIERS[between(spendRandom, 1, SUPPLIERS.length - 1)]! });
          });
        }
        for (const payment of payments) {
          transaction += 1;
          yield { lineId: line.id, amountPence: payment.pence, spentOn: payment.spentOn, reference: `T${councilIndex}-${startYear}-${transaction}`, supplier: payment.supplier };
        }
        if (spendRandom() < 0.1 && payments.length) {
          // A miscoded invoice and its reversal, a month apart.
          const mistaken = Math.min(payments[0]!.pence, 25_000);
          transaction += 1;
          yield { lineId: line.id, amountPence: mistaken, spentOn: payments[0]!.spentOn, reference: `T${councilIndex}-${startYear}-${transaction}`, supplier: 'Miscoded' };
          transaction += 1;
          yield { lineId: line.id, amountPence: -mistaken, spentOn: payments[0]!.spentOn, reference: `T${councilIndex}-${startYear}-${transaction}`, supplier: 'Miscoded' };
        }
      }
    },
  };
}

export function generateOrganisation(index: number, seed = NATIONAL.seed): GeneratedOrganisation {
  const random = seededRandom(seed ^ Math.imul(index + 1, 2654435761));
  const id = seededUuid(random);
  const grants = NATIONAL.years.map((year) => generateGrant(random, year, index));
  return { index, id, name: `Council ${index + 1}`, code: `E${String(10_000_000 + index).slice(-8)}`, grants };
}
