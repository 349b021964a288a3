import { type Kysely, sql } from 'kysely';

/**
 * Which organisation owns a record is remembered by every app instance (the access check's
 * OwnerCache in src/auth/access.ts), and no instance hears of another's changes. That is
 * correct only while the fact never changes, so the database now refuses to change it: a
 * record's id and organisation_id are fixed from its insert, for every kind the access check
 * looks up, and those records are never deleted (an organisation's history stays whole). An
 * id is a fresh UUID, never reused, so a remembered owner can never name the wrong council.
 */
const KINDS = ['grants', 'grant_tranches', 'commitments', 'imports'];

const statements = [
  `CREATE FUNCTION refuse_owner_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION '% records are never deleted: instances remember who owns them', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id THEN
    RAISE EXCEPTION 'a record of % keeps its id and organisation', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$`,
  `CREATE FUNCTION refuse_organisation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE EXCEPTION 'an organisation keeps its id and is never deleted' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$`,
  ...KINDS.map((table) => `CREATE TRIGGER ${table}_owner_fixed BEFORE UPDATE OF id, organisation_id OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_owner_change()`),
  `CREATE TRIGGER organisations_id_fixed BEFORE UPDATE OF id OR DELETE ON organisations FOR EACH ROW EXECUTE FUNCTION refuse_organisation_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
