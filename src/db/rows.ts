/**
 * The one convention for names: tables and columns are snake_case, domain objects camelCase.
 * A repository either names its outputs in the select (`'spent_on as spentOn'`) or passes each
 * row through `camelRow` and then converts only what needs converting (NUMERIC text to Decimal,
 * jsonb to checked shapes); it never lists renames by hand.
 */
type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Name;

type CamelRow<Row> = { [Key in keyof Row as Key extends string ? CamelCase<Key> : Key]: Row[Key] };

export function camelRow<Row extends object>(row: Row): CamelRow<Row> {
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) renamed[key.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase())] = value;
  return renamed as CamelRow<Row>;
}
