import { sql } from 'kysely';

/**
 * Which lines are worth handing to lineWarnings (warnings.ts), in SQL, so a grant of thousands
 * of lines does not send every one of them to the application to be judged. A prefilter only:
 * it must pass every line lineWarnings could warn about and may pass more (a superset), and
 * lineWarnings alone decides what is said. The condition, over `alias` (columns amount, spent,
 * status): live, with spend, and tbc, still proposed or spent past its amount.
 * test/ledger/line-warning-candidates.test.ts holds it to lineWarnings over random lines: a new
 * line warning that this would hide fails there.
 */
export function lineMayWarn(alias: string) {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<boolean>`(${column('status')} <> 'withdrawn' AND ${column('spent')} > 0
    AND (${column('amount')} IS NULL OR ${column('status')} = 'proposed' OR ${column('spent')} > ${column('amount')}))`;
}
