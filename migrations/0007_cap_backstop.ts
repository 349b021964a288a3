import { type Kysely, sql } from 'kysely';

/**
 * A backstop under the application's cap check. The application locks the grant and checks
 * before it writes, and says why a write is refused; this trigger checks again at commit, so
 * a code path that forgot the check (or a hand-run SQL fix) still cannot leave a capped
 * category over its cap. It cannot replace the grant lock: two concurrent transactions each
 * see only their own rows here.
 */
const statements = [
  `CREATE FUNCTION assert_category_within_cap(target_grant uuid, target_category uuid) RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     limit_share numeric;
     allocation numeric;
     cap numeric;
     exposure numeric;
     category_code text;
   BEGIN
     SELECT gc.max_share, sc.code INTO limit_share, category_code
       FROM grant_categories gc JOIN scheme_categories sc ON sc.id = gc.category_id
       WHERE gc.grant_id = target_grant AND gc.category_id = target_category;
     IF limit_share IS NULL THEN
       RETURN;
     END IF;
     SELECT coalesce(sum(amount), 0) INTO allocation FROM grant_tranches WHERE grant_id = target_grant;
     cap := trunc(limit_share * allocation, 2);
     SELECT coalesce(sum(greatest(coalesce(c.amount, 0),
              coalesce((SELECT sum(e.amount) FROM spend_entries e WHERE e.commitment_id = c.id), 0))), 0)
       INTO exposure
       FROM commitments c
       WHERE c.grant_id = target_grant AND c.category_id = target_category AND c.status <> 'withdrawn';
     IF exposure > cap THEN
       RAISE EXCEPTION 'category % would exceed its cap of % with exposure %', category_code, cap, exposure
         USING ERRCODE = 'check_violation', CONSTRAINT = 'ringfence_category_cap';
     END IF;
   END $$`,
  `CREATE FUNCTION check_cap_after_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM assert_category_within_cap(NEW.grant_id, NEW.category_id);
     RETURN NULL;
   END $$`,
  `CREATE FUNCTION check_cap_after_spend() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM assert_category_within_cap(NEW.grant_id, (SELECT category_id FROM commitments WHERE id = NEW.commitment_id));
     RETURN NULL;
   END $$`,
  `CREATE CONSTRAINT TRIGGER commitments_within_cap AFTER INSERT OR UPDATE ON commitments
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_cap_after_line_change()`,
  `CREATE CONSTRAINT TRIGGER spend_within_cap AFTER INSERT ON spend_entries
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_cap_after_spend()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
