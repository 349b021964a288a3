import secureJson from 'secure-json-parse';
import { SourceNumber } from '../shared/source-number.ts';

/** No request this service takes nests deeper than a handful of levels; a body nested thousands deep is an attack. */
const MAX_JSON_DEPTH = 32;

/** Marks a rewritten literal inside the JSON text; the reviver turns it into a SourceNumber. */
const LITERAL_MARK = '\u0000number:';

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.(\d+))?([eE][+-]?\d+)?/y;

/** A body refused before any schema sees it; `message` says what is wrong with it, as a field error does. */
export class JsonBodyError extends Error {
  readonly statusCode = 400;

  constructor(
    message: string,
    /** The field at fault, when there is one; else the body as a whole. */
    readonly path = 'body',
  ) {
    super(message);
  }
}

/** Half of a surrogate pair with no other half: no character, and PostgreSQL refuses it in text and JSON. */
const HALF_PAIR = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JavaScript reads 1E2 as 100 and 100.000 as 100, so a schema handed the parsed number cannot
 * tell them from 100 and would accept as money what was never written as money. A number
 * literal with an exponent or more than two decimals therefore reaches the schemas as a
 * SourceNumber holding its text: money and shares judge exactly what was sent, and a field
 * that takes text or only numbers refuses it. Also refuses nesting deeper than MAX_JSON_DEPTH, before
 * anything recurses over it.
 */
function keepAmbiguousNumbersAsText(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"') {
      // Skip the string, escapes included; an unterminated one is left for the parser to refuse.
      index++;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth > MAX_JSON_DEPTH) throw new JsonBodyError(`must not nest objects and lists more than ${MAX_JSON_DEPTH} deep`);
    } else if (char === '}' || char === ']') {
      depth--;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER_TOKEN.lastIndex = index;
      const match = NUMBER_TOKEN.exec(text);
      if (!match) continue;
      const [token, decimals, exponent] = match;
      if (exponent !== undefined || (decimals !== undefined && decimals.length > 2)) {
        out += text.slice(copiedUpTo, index) + JSON.stringify(`${LITERAL_MARK}${token}`);
        copiedUpTo = index + token.length;
      }
      index += token.length - 1;
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/**
 * JSON can spell half a surrogate pair (`"\\ud800"`), which no keyboard types and no store
 * keeps: refused here, naming the field, rather than silently made U+FFFD by one path and
 * refused by PostgreSQL (a 500) on another.
 */
function reviveLiterals(key: string, value: unknown): unknown {
  if (HALF_PAIR.test(key)) throw new JsonBodyError('has a field name that is not whole characters (half of a surrogate pair)');
  if (typeof value !== 'string') return value;
  if (HALF_PAIR.test(value))
    throw new JsonBodyError(
      `${key === '' ? 'must be' : `"${key}" must be`} whole characters: it holds half of a surrogate pair (\\ud800–\\udfff alone)`,
      key === '' || /^\d+$/.test(key) ? 'body' : key,
    );
  return value.startsWith(LITERAL_MARK) ? new SourceNumber(value.slice(LITERAL_MARK.length)) : value;
}

/** A JSON request body as the routes' schemas see it; an empty body is no body (POST …/withdraw). */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  const rewritten = keepAmbiguousNumbersAsText(text);
  try {
    // Fastify's own prototype-poisoning guard.
    return secureJson.parse(rewritten, reviveLiterals, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    if (error instanceof JsonBodyError) throw error;
    throw new JsonBodyError('must be a JSON document');
  }
}
