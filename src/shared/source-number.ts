/**
 * A JSON number literal as it was written, for the literals JavaScript would silently change
 * (1E2 read as 100, 100.000 as 100): src/http/json-body.ts hands these to the schemas as this,
 * not as a number or a string, so a field that takes text or whole numbers refuses them, and
 * the money and share schemas judge exactly what was sent.
 */
export class SourceNumber {
  constructor(readonly text: string) {}
}

/** For a schema's preprocess: the literal's text, or the value unchanged. */
export function sourceText(value: unknown): unknown {
  return value instanceof SourceNumber ? value.text : value;
}
