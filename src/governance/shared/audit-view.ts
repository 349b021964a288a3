/** What the audit trail keeps of a record: its presented fields without the bookkeeping. */
export function withoutMeta({ id: _id, organisationId: _organisationId, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...fields }: Record<string, unknown>): Record<string, unknown> {
  return fields;
}
