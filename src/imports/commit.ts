import type { Transaction } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { createCommitment } from '../commitments/service.ts';
import type { Database } from '../db/tables.ts';
import { Decimal, formatMoney, formatMoneyOrNull, sumDecimals } from '../shared/money.ts';
import { Problem } from '../shared/problems.ts';
import { PaymentRefused, recordSpendBatch } from '../spend/service.ts';
import type { RowProblem } from './interpret/findings.ts';
import type { Plan } from './plan/preview.ts';
import type { CommitResult, PreviewBody } from './schemas.ts';

/**
 * A service's refusal of one row, retold for the whole import: the same problem type and
 * fields (a cap-exceeded keeps its category, cap and headroom), the row it came from, and the
 * assurance that nothing was written, since the transaction is rolled back with it.
 */
function refusedAtRow(error: unknown, row: number, what: string): unknown {
  if (!(error instanceof Problem)) return error;
  return new Problem(error.name, error.status, error.title, `Row ${row} (${what}): ${error.detail} Nothing was imported.`, {
    ...error.extensions,
    row,
    problems: [{ row, column: null, header: null, message: error.detail } satisfies RowProblem],
  });
}

/** An import with problems is refused whole, listing them as the preview does. */
export function importHasProblems(preview: PreviewBody): Problem {
  const first = preview.problems[0];
  const where = first?.row ? `Row ${first.row}${first.column ? `, column ${first.column}${first.header ? ` (${first.header})` : ''}` : ''}: ` : '';
  const count = `${preview.problemCount} problem${preview.problemCount === 1 ? '' : 's'}`;
  return new Problem('invalid-state', 422, 'The import has problems', `The import has ${count}, so nothing was imported. ${where}${first?.message ?? ''}`, {
    problems: preview.problems,
    problemCount: preview.problemCount,
  });
}

/**
 * Writes every planned line or payment in the caller's transaction, and the first refusal rolls
 * back everything before it. Lines go through the commitments service one by one, as hand entry
 * does; payments go through the spend service's batch, which locks the grant once, judges every
 * payment in order by the same rules and writes them in a few statements. Audit records are
 * held back and chained at the end when the caller asks, as commitImport does. `progress` is
 * told how many rows are written; it may throw to stop the work (the server shutting down).
 */
export async function applyPlan(
  trx: Transaction<Database>,
  actor: Actor,
  grantId: string,
  plan: Plan,
  skippedDuplicates: number,
  progress: (done: number) => void = () => {},
): Promise<CommitResult> {
  const lines: CommitResult['lines'] = [];
  const entries: CommitResult['entries'] = [];
  if (plan.kind === 'commitments') {
    for (const line of plan.plan.lines) {
      try {
        const created = await createCommitment(trx, actor, grantId, line.body);
        lines.push({ row: line.row, id: created.id, ref: created.ref, amount: formatMoneyOrNull(created.amount) });
      } catch (error) {
        throw refusedAtRow(error, line.row, `line "${line.body.title.slice(0, 80)}"`);
      }
      progress(lines.length);
    }
  } else {
    const planned = plan.plan.entries;
    try {
      const created = await recordSpendBatch(
        trx,
        actor,
        grantId,
        planned.map((entry) => ({ commitmentId: entry.line.id, body: entry.body })),
        progress,
      );
      created.forEach((entry, index) => entries.push({ row: planned[index]!.row, id: entry.id, commitmentId: entry.commitmentId, amount: formatMoney(entry.amount) }));
    } catch (error) {
      if (!(error instanceof PaymentRefused)) throw error;
      const entry = planned[error.index]!;
      throw refusedAtRow(error.problem, entry.row, `payment ${entry.body.reference ?? ''} on line ${entry.line.ref}`);
    }
  }
  const amounts = plan.kind === 'commitments' ? lines.map((line) => line.amount) : entries.map((entry) => entry.amount);
  return {
    committedAt: new Date().toISOString(),
    created: {
      count: amounts.length,
      total: formatMoney(sumDecimals(amounts.flatMap((amount) => (amount === null ? [] : [new Decimal(amount)])))),
      tbc: amounts.filter((amount) => amount === null).length,
    },
    lines,
    entries,
    skippedDuplicates,
  };
}
