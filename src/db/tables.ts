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
  /** The domains its admins may add people from, lower case ("rotherham.gov.uk"). */
  email_domains: Generated<string[]>;
  /** Migration 0022. */
  kind: Generated<OrganisationKind>;
  created_at: CreatedAt;
}

/** A council keeps grants; a region or national body reads what councils share with it. */
export type OrganisationKind = 'council' | 'region' | 'national';

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
  /** The one organisation the token acts in; null only for a platform administrator's token. */
  organisation_id: string | null;
}

export interface PasswordLinksTable {
  id: Generated<string>;
  organisation_id: string;
  user_id: string;
  token_hash: string;
  created_by: string;
  created_at: CreatedAt;
  expires_at: Date;
  used_at: Date | null;
}

/** Sign-in state shared by every instance (migrations/0014_sign_in.ts). */
export interface WebSessionsTable {
  id: Generated<string>;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface SignInFailuresTable {
  /** SHA-256 of the normalised email, whether or not an account has it. */
  email_hash: string;
  address: string;
  failures: number;
  locked_until: Date | null;
  last_failed_at: Timestamp;
}

export interface SignInAttemptsTable {
  address: string;
  window_started_at: Timestamp;
  attempts: number;
}

export interface SchemesTable {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: CreatedAt;
}

export interface SchemeVersionsTable {
  id: Generated<string>;
  scheme_id: string;
  financial_year: string;
  expectations_set: string | null;
  /** [{ return, period, dueOn }], as the scheme's conditions set them. */
  return_due_dates: ColumnType<ReturnDueDate[], string | undefined, string>;
  created_at: CreatedAt;
  created_by: string | null;
}

export interface ReturnDueDate {
  return: string;
  period: string;
  dueOn: string;
}

export type TranchePurpose = 'base' | 'earmarked';

export interface SchemeDeterminationsTable {
  version_id: string;
  ref: string;
  title: string;
  purpose: TranchePurpose;
  earmarked_category_code: string | null;
  position: number;
}

export interface SchemeHeadingsTable {
  scheme_id: string;
  version_id: string;
  code: string;
  label: string;
  position: number;
}

export interface SchemeCategoriesTable {
  id: Generated<string>;
  scheme_id: string;
  version_id: string;
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
  scheme_version_id: string;
  financial_year: string;
  /** Σ spend over the grant's lines, kept by the database with each entry. */
  spent: Generated<Numeric>;
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

export type TrancheStatus = 'confirmed' | 'provisional' | 'withdrawn';

export interface GrantTranchesTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  amount: Numeric;
  description: string;
  determination_ref: string | null;
  purpose: Generated<TranchePurpose>;
  earmarked_category_id: string | null;
  status: TrancheStatus;
  received_on: IsoDate | null;
  version: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: Generated<Date>;
  updated_by: string | null;
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
  workstream_id: ColumnType<string | null, string | null | undefined, string | null>;
  decision_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The sum of the line's spend entries, kept by the database as each is recorded. */
  spent: ColumnType<string, never, never>;
  /** The day the line was approved or committed, within its grant's year (migration 0011). */
  committed_on: IsoDate;
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
  workstream_id: string | null;
  decision_id: string | null;
  committed_on: string;
  recorded_at: Date;
  recorded_by: string | null;
}

/** What a payment is: the Transparency Code publishes supplier payments and leaves out the rest (migration 0018). */
export type SpendKind = 'supplier' | 'payroll' | 'hmrc' | 'pension';

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
  kind: Generated<SpendKind>;
  supplier_id: string | null;
  expenditure_code: string | null;
  card_transaction: Generated<boolean>;
  recorded_at: CreatedAt;
  recorded_by: string | null;
}

export interface Database extends GovernanceTables {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  web_sessions: WebSessionsTable;
  sign_in_failures: SignInFailuresTable;
  sign_in_attempts: SignInAttemptsTable;
  password_links: PasswordLinksTable;
  schemes: SchemesTable;
  scheme_versions: SchemeVersionsTable;
  scheme_determinations: SchemeDeterminationsTable;
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
  audit_checkpoints: AuditCheckpointsTable;
  idempotency_keys: IdempotencyKeysTable;
  imports: ImportsTable;
  import_mappings: ImportMappingsTable;
  import_progress: ImportProgressTable;
  cost_centre_mappings: CostCentreMappingsTable;
  commitment_profiles: CommitmentProfilesTable;
  grant_forecasts: GrantForecastsTable;
  forecast_settings: ForecastSettingsTable;
  submissions: SubmissionsTable;
  submission_files: SubmissionFilesTable;
  organisation_shares: OrganisationSharesTable;
  grant_headlines: GrantHeadlinesTable;
}

/** A council's consent that a region or national body reads its headline figures (migration 0022). */
export interface OrganisationSharesTable {
  id: Generated<string>;
  organisation_id: string;
  with_organisation_id: string;
  shared_at: Generated<Date>;
  shared_by: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

/** A grant's headline figures as last computed (src/regions/headline.ts). */
export interface GrantHeadlinesTable {
  organisation_id: string;
  grant_id: string;
  scheme_id: string;
  financial_year: string;
  allocation: string;
  committed: string;
  spent: string;
  transformation_committed: string | null;
  forecast_outturn: string;
  variance: string;
  posts_in_post: number;
  posts_total: number;
  overdue_returns: number;
  rag_red: number;
  rag_amber: number;
  rag_green: number;
  committed_by_month: ColumnType<string[], string[], string[]>;
  audit_seq: string;
  computed_on: string;
  computed_at: Generated<Date>;
}

export interface CommitmentProfilesTable {
  organisation_id: string;
  commitment_id: string;
  /** "2025-04" */
  month: string;
  amount: string;
  recorded_at: Generated<Date>;
  recorded_by: string | null;
}

export interface GrantForecastsTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  period: string;
  forecast_on: ColumnType<string, string, string>;
  allocation: string;
  actual_to_date: string;
  forecast_outturn: string;
  variance: string;
  commentary: string | null;
  taken_at: Generated<Date>;
  taken_by: string;
}

export interface ForecastSettingsTable {
  organisation_id: string;
  underspend_threshold: string;
  updated_at: Generated<Date>;
  updated_by: string | null;
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

export type CheckpointReason = 'daily' | 'on-demand' | 'submission';

/** A chain head signed outside the database (migration 0013); only the signature and public key are kept. */
export interface AuditCheckpointsTable {
  chain_id: string;
  id: ColumnType<string, never, never>;
  organisation_id: string | null;
  seq: ColumnType<string, string, never>;
  hash: string;
  signed_at: Date;
  reason: CheckpointReason;
  key_id: string;
  public_key: string;
  signature: string;
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

// Programme governance (migrations/0003_governance.ts).

/** Columns every editable governance record has. */
interface GovernanceRecordColumns {
  id: Generated<string>;
  organisation_id: string;
  version: Generated<number>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: Timestamp;
  updated_by: string | null;
}

export type GovernanceBodyKind = 'cabinet' | 'board' | 'delivery_group' | 'partnership' | 'other';

export interface GovernanceBodiesTable extends GovernanceRecordColumns {
  name: string;
  kind: GovernanceBodyKind | null;
  chair: string | null;
  terms_agreed_on: IsoDate | null;
  terms_review_due: IsoDate | null;
  notes: string | null;
}

export interface MeetingsTable extends GovernanceRecordColumns {
  governance_body_id: string;
  held_on: IsoDate;
  title: string | null;
  notes: string | null;
}

export interface DecisionsTable extends GovernanceRecordColumns {
  governance_body_id: string;
  meeting_id: string | null;
  decided_on: IsoDate;
  recommendation: string | null;
  decision_text: string;
  delegated_to: string | null;
  notes: string | null;
}

export type WorkstreamStatus = 'planned' | 'active' | 'on_hold' | 'complete' | 'closed';
export type Rag = 'red' | 'amber' | 'green';

export interface WorkstreamsTable extends GovernanceRecordColumns {
  name: string;
  objectives: string;
  lead: string | null;
  governance_body_id: string | null;
  status: WorkstreamStatus;
  rag: Rag | null;
  rag_date: IsoDate | null;
  rag_comment: string | null;
  notes: string | null;
}

export interface WorkstreamRagHistoryTable {
  id: ColumnType<string, never, never>;
  organisation_id: string;
  workstream_id: string;
  rag: Rag;
  rag_date: IsoDate;
  comment: string | null;
  recorded_at: Date;
  recorded_by: string | null;
}

export type PostStatus = 'planned' | 'recruiting' | 'in_post' | 'ended' | 'unfilled';

export interface PostsTable extends GovernanceRecordColumns {
  title: string;
  team: string | null;
  workstream_id: string | null;
  commitment_id: string | null;
  headcount: number;
  fte: Numeric;
  grade: string | null;
  annual_cost: Numeric;
  status: PostStatus;
  start_date: IsoDate | null;
  end_date: IsoDate | null;
  planned_start_date: IsoDate | null;
  planned_end_date: IsoDate | null;
  postholder: string | null;
  notes: string | null;
}

export type SecondmentStatus = 'offered' | 'interviewing' | 'in_post' | 'unsuccessful' | 'exploring_alternative' | 'ended';
export type PartnerType = 'police' | 'health' | 'education' | 'voluntary_sector' | 'local_authority' | 'other';

export interface SecondmentsTable extends GovernanceRecordColumns {
  partner: string;
  partner_type: PartnerType | null;
  role: string;
  workstream_id: string | null;
  commitment_id: string | null;
  annual_cost: Numeric;
  shared_with: string | null;
  cost_share: Numeric;
  status: SecondmentStatus;
  start_date: IsoDate | null;
  end_date: IsoDate | null;
  notes: string | null;
}

export type MilestoneStatus = 'not_started' | 'in_progress' | 'complete' | 'cancelled';

export interface MilestonesTable extends GovernanceRecordColumns {
  workstream_id: string | null;
  title: string;
  due_on: IsoDate;
  status: MilestoneStatus;
  completed_on: IsoDate | null;
  owner: string | null;
  notes: string | null;
}

export type ExpectationArea = 'family_help' | 'front_door' | 'child_protection' | 'family_networks';
export type ExpectationStatus = 'not_started' | 'in_progress' | 'met';

/** Reference data shared by every organisation (no organisation_id). */
export interface DeliveryExpectationsTable {
  id: string;
  code: string;
  area: ExpectationArea;
  title: string;
  description: string;
  due_by: IsoDate;
  position: number;
}

export interface OrganisationExpectationsTable extends GovernanceRecordColumns {
  builtin_id: string | null;
  code: string | null;
  area: string | null;
  title: string | null;
  description: string | null;
  due_by: IsoDate | null;
  status: ExpectationStatus;
  evidence: string | null;
  owner: string | null;
}

export type RiskStatus = 'open' | 'escalated' | 'closed';

export interface RisksTable extends GovernanceRecordColumns {
  ref: string | null;
  title: string;
  description: string | null;
  owner: string | null;
  workstream_id: string | null;
  likelihood: number;
  impact: number;
  /** likelihood × impact, computed by the database. */
  score: ColumnType<number, never, never>;
  assessed_on: IsoDate;
  assessment_comment: string | null;
  mitigation: string | null;
  status: RiskStatus;
  review_on: IsoDate | null;
}

export interface RiskScoreHistoryTable {
  id: ColumnType<string, never, never>;
  organisation_id: string;
  risk_id: string;
  likelihood: number;
  impact: number;
  score: number;
  assessed_on: IsoDate;
  comment: string | null;
  recorded_at: Date;
  recorded_by: string | null;
}

export interface GovernanceTables {
  governance_bodies: GovernanceBodiesTable;
  meetings: MeetingsTable;
  decisions: DecisionsTable;
  workstreams: WorkstreamsTable;
  workstream_rag_history: WorkstreamRagHistoryTable;
  posts: PostsTable;
  secondments: SecondmentsTable;
  milestones: MilestonesTable;
  delivery_expectations: DeliveryExpectationsTable;
  organisation_expectations: OrganisationExpectationsTable;
  risks: RisksTable;
  risk_score_history: RiskScoreHistoryTable;
}

// Imports (migrations/0008_imports.ts).

type Jsonb<T> = ColumnType<T, string, string>;

export interface ImportsTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  kind: 'commitments' | 'spend';
  file_name: string;
  file_type: 'csv' | 'xlsx';
  file_sha256: string;
  sheet: string | null;
  /** jsonb: written as JSON text, read back parsed; src/imports checks the shapes it reads. */
  grid: Jsonb<unknown>;
  /** The spreadsheet row number of the header row; null when none was found. */
  header_row: number | null;
  mapping: Jsonb<unknown>;
  assignments: ColumnType<unknown, string | undefined, string>;
  /** Row → category code for section heading rows (migrations/0015_import_mappings.ts). */
  heading_choices: ColumnType<unknown, string | undefined, string>;
  preview: Jsonb<unknown>;
  /** A spend preview's plan and the fingerprint of the ledger it was read against (migrations/0024_import_plan.ts); src/imports/plan/kept.ts. */
  plan: ColumnType<string | null, string | null | undefined, string | null>;
  status: 'previewed' | 'committing' | 'committed' | 'failed';
  result: ColumnType<unknown, string | null | undefined, string | null>;
  /** jsonb: the refusal of a failed commit (a problem's JSON); null otherwise. */
  failure: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: Timestamp;
  committed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  committed_by: string | null;
}

/** What an organisation matched before: a heading to a category, a column heading to a field (migrations/0015_import_mappings.ts). */
export interface ImportMappingsTable {
  organisation_id: string;
  kind: 'commitments' | 'spend';
  target: 'heading' | 'column';
  text_key: string;
  text: string;
  value: string;
  updated_at: Timestamp;
  updated_by: string | null;
}

/** How far an import's commit has got, written beside its transaction (migration 0017). */
export interface ImportProgressTable {
  organisation_id: string;
  import_id: string;
  done: number;
  total: number;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
}

export interface CostCentreMappingsTable {
  organisation_id: string;
  grant_id: string;
  code: string;
  commitment_id: string;
  updated_at: Timestamp;
  updated_by: string | null;
}

export type SubmissionStatus = 'draft' | 'submitted';

/** One heading's figures as a return reported them (migration 0021): money as decimal strings. */
export interface SubmittedFigures {
  heading: string;
  label: string;
  committed: string;
  spentInQuarter: string;
  spentToDate: string;
}

/** A return prepared for a period and, once signed off, submitted (migration 0021). */
export interface SubmissionsTable {
  id: Generated<string>;
  organisation_id: string;
  grant_id: string;
  return_kind: string;
  financial_year: string;
  period: string;
  status: ColumnType<SubmissionStatus, SubmissionStatus | undefined, SubmissionStatus>;
  replaces_id: string | null;
  figures: ColumnType<SubmittedFigures[], string, never>;
  prepared_at: Date;
  prepared_by: string;
  signed_off_at: Date | null;
  signed_off_by: string | null;
  statement: string | null;
}

/** A prepared return's file, kept byte for byte; append-only. */
export interface SubmissionFilesTable {
  organisation_id: string;
  submission_id: string;
  format: string;
  media_type: string;
  file_name: string;
  sha256: string;
  bytes: number;
  content: Buffer;
}
