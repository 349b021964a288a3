import type { Transaction } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { amendCommitment, createCommitment, withdrawCommitment } from '../commitments/service.ts';
import { etagOf } from '../commitments/schemas.ts';
import type { Database } from '../db/tables.ts';
import { timeSlices } from '../shared/event-loop.ts';
import { Decimal, formatMoney, formatMoneyOrNull } from '../shared/money.ts';
import { Problem } from '../shared/problems.ts';
import { PaymentRefused, recordSpendBatch } from '../spend/service.ts';
import type { RowProblem } from './interpret/findings.ts';
import type { Plan } from './plan/preview.ts';
import type { Revision } from './plan/revision.ts';
import type { CommitResult, PreviewBody } from './schemas.ts';

/**
 * A service's refusal of one row, retold for the whole import: the same problem type and
 * fields (a cap-exceeded keeps its category, cap and headroom), the row it came from, and the
 * assurance that nothing was written, since the transaction is rolled back with it.
 */
function refusedAtRow(error: unknown, row: number, what: string): unknown {
  return refusedAt(error, `Row ${row} (${what})`, { row });
}

function refusedAt(error: unknown, where: string, at: { row?: number }): unknown {
  if (!(error instanceof Problem)) return error;
  return new Problem(error.name, error.status, error.title, `${where}: ${error.detail} Nothing was imported.`, {
    ...error.extensions,
    ...at,
    problems: [{ row: at.row ?? null, column: null, header: null, message: error.detail } satisfies RowProblem],
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
 * A revised table's changes to existing lines, through the same amendment and withdrawal
 * service as hand edits, each with If-Match at the version the preview saw (commitImport has
 * found every line still at it, under the grant lock). Withdrawals and
 * the amendments that free room under a cap go first, so that a line moving money within a
 * capped category is judged after the room was made, as the preview's forecast assumed.
 */
async function applyRevision(trx: Transaction<Database>, actor: Actor, revision: Revision): Promise<Pick<CommitResult, 'updated' | 'withdrawn'>> {
  const withdrawn: CommitResult['withdrawn'] = [];
  const updated: CommitResult['updated'] = [];
  for (const line of revision.withdrawals) {
    try {
      const after = await withdrawCommitment(trx, actor, line.id, etagOf(line));
      withdrawn.push({ id: after.id, ref: after.ref, version: after.version });
    } catch (error) {
      throw refusedAt(error, `Line ${line.ref} ("${line.title.slice(0, 80)}"), not in the file`, {});
    }
  }
  const ordered = [...revision.amendments.filter((amendment) => !amendment.addsExposure), ...revision.amendments.filter((amendment) => amendment.addsExposure)];
  for (const amendment of ordered) {
    try {
      const after = await amendCommitment(trx, actor, amendment.line.id, amendment.body, etagOf(amendment.line));
      updated.push({ row: amendment.row, id: after.id, ref: after.ref, version: after.version });
    } catch (error) {
      throw refusedAtRow(error, amendment.row, `line ${amendment.line.ref}`);
    }
  }
  updated.sort((a, b) => a.row - b.row);
  return { updated, withdrawn };
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
  let revised: Pick<CommitResult, 'updated' | 'withdrawn'> = { updated: [], withdrawn: [] };
  if (plan.kind === 'commitments') {
    revised = await applyRevision(trx, actor, plan.revision);
    for (const line of plan.revision.newLines) {
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
      const slice = timeSlices();
      for (const [index, entry] of created.entries()) {
        await slice();
        entries.push({ row: planned[index]!.row, id: entry.id, commitmentId: entry.commitmentId, amount: formatMoney(entry.amount) });
      }
    } catch (error) {
      if (!(error instanceof PaymentRefused)) throw error;
      const entry = planned[error.index]!;
      throw refusedAtRow(error.problem, entry.row, `payment ${entry.body.reference ?? ''} on line ${entry.line.ref}`);
    }
  }
  const amounts = plan.kind === 'commitments' ? lines.map((line) => line.amount) : entries.map((entry) => entry.amount);
  let total = new Decimal(0);
  const slice = timeSlices();
  for (const amount of amounts) {
    await slice();
    if (amount !== null) total = total.plus(amount);
  }
  return {
    committedAt: new Date().toISOString(),
    created: {
      count: amounts.length,
      total: formatMoney(total),
      tbc: amounts.filter((amount) => amount === null).length,
    },
    lines,
    entries,
    skippedDuplicates,
    ...revised,
  };
}
