const META = new Set(['id', 'organisationId', 'version', 'createdAt', 'updatedAt']);

/** What the audit trail keeps of a record: its presented fields without the bookkeeping. */
export function withoutMeta(view: unknown): Record<string, unknown> {
  if (typeof view !== 'object' || view === null) return {};
  return Object.fromEntries(Object.entries(view).filter(([key]) => !META.has(key)));
}
