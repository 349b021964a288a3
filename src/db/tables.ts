import type { ColumnType, Generated } from 'kysely';

/**
 * Table types as the database holds them. NUMERIC arrives as a string (wrapped in Decimal at
 * the repository edge), dates as 'YYYY-MM-DD' strings; these types never reach HTTP.
 */
type Numeric = ColumnType<string, string, string>;
type NullableNumeric = ColumnType<string | null, string | null | undefined, string | null>;
type IsoDate = ColumnType<string, string, string>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  code: string;
  created_at: CreatedAt;
}

export type Role = 'admin' | 'finance' | 'programme_lead' | 'reader';

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  is_platform_admin: Generated<boolean>;
  created_at: CreatedAt;
  /** argon2id (migration 0005); null until a password is set, so the user cannot sign in to the web pages. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  failed_login_count: Generated<number>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Bumped to revoke every web session of the user at once. */
  session_epoch: Generated<number>;
  password_changed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface MembershipsTable {
  organisation_id: string;
  user_id: string;
  role: Role;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
  created_by: string | null;
}

export interface SchemesTable {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: CreatedAt;
}

export interface SchemeHeadingsTable {
  scheme_id: string;
  code: string;
  label: string;
  position: number;
}

export interface SchemeCategoriesTable {
  id: Generated<string>;
  scheme_id: string;
  code: string;
  name: string;
  heading_code: string;
  planned_share: Numeric;
  max_share: NullableNumeric;
  position: number;
}

export interface GrantsTable {
  id: Generated<string>;
  organisation_id: string;
  scheme_id: string;
  financial_year: string;
  created_at: CreatedAt;
  created_by: string | null;
}

export interface GrantCategoriesTable {
  organisation_id: string;
  grant_id: string;
  category_id: string;
  planned_share: Numeric;
  max_share: NullableNumeric;
}

export type TrancheStatus = 'confirmed' | 'provisional';

export interface GrantTranchesTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  amount: Numeric;
  description: string;
  determination_ref: string | null;
  status: TrancheStatus;
  received_on: IsoDate | null;
  created_at: CreatedAt;
  created_by: string | null;
}

export type CommitmentStatus = 'proposed' | 'approved' | 'withdrawn';

export interface CommitmentsTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  category_id: string;
  ref: string;
  title: string;
  amount: NullableNumeric;
  status: CommitmentStatus;
  decision_ref: string | null;
  approved_by: string | null;
  service_area: string | null;
  notes: string | null;
  version: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface CommitmentVersionsTable {
  organisation_id: string;
  commitment_id: string;
  version: number;
  grant_id: string;
  category_id: string;
  ref: string;
  title: string;
  amount: string | null;
  status: CommitmentStatus;
  decision_ref: string | null;
  approved_by: string | null;
  service_area: string | null;
  notes: string | null;
  recorded_at: Date;
  recorded_by: string | null;
}

export interface SpendEntriesTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  commitment_id: string;
  amount: Numeric;
  spent_on: IsoDate;
  reference: string | null;
  description: string | null;
  supplier: string | null;
  expense_area: string | null;
  irrecoverable_vat: NullableNumeric;
  merchant_category: string | null;
  paid_to_individual: Generated<boolean>;
  recorded_at: CreatedAt;
  recorded_by: string | null;
}

export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  schemes: SchemesTable;
  scheme_headings: SchemeHeadingsTable;
  scheme_categories: SchemeCategoriesTable;
  grants: GrantsTable;
  grant_categories: GrantCategoriesTable;
  grant_tranches: GrantTranchesTable;
  commitments: CommitmentsTable;
  commitment_versions: CommitmentVersionsTable;
  spend_entries: SpendEntriesTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_records: AuditRecordsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export interface AuditChainHeadsTable {
  chain_id: string;
  seq: string;
  hash: string;
}

export interface AuditRecordsTable {
  chain_id: string;
  /** bigint, kept as text so no precision is ever lost. */
  seq: ColumnType<string, string, never>;
  organisation_id: string | null;
  at: Date;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  /** jsonb: written as JSON text, read back as parsed values. */
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface IdempotencyKeysTable {
  organisation_id: string;
  key: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  created_at: ColumnType<Date, Date | undefined, Date>;
}
