/** SQLSTATE 23505: a unique key refused the row. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const candidate = error as { code?: unknown; constraint?: unknown };
  return candidate?.code === '23505' && (constraint === undefined || candidate.constraint === constraint);
}
