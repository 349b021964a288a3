import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashRecord, placedHash, unplacedText } from '../../src/audit/chain.ts';

/** Text that tries to look like the fields placed after it: quotes, escapes, the keys' own names. */
const awkwardText = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('"prevHash":"x"', '","seq":"9"}', '\\"', '}', '"requestId":null', '\u2028', '€'));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    awkwardText,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(awkwardText, fc.constantFrom('prevHash', 'seq', 'requestId', 'zzz')), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const record = fc.record({
  chainId: fc.uuid(),
  organisationId: fc.option(fc.uuid(), { nil: null }),
  at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  actorId: fc.option(fc.uuid(), { nil: null }),
  action: awkwardText,
  entity: awkwardText,
  entityId: awkwardText,
  before: fc.option(fc.dictionary(awkwardText, json, { maxKeys: 5 }), { nil: null }),
  after: fc.option(fc.dictionary(awkwardText, json, { maxKeys: 5 }), { nil: null }),
  requestId: fc.option(awkwardText, { nil: null }),
});

describe('an audit record hashed in two steps (src/audit/chain.ts)', () => {
  it('hashes exactly as hashRecord does, whatever the fields hold', () => {
    fc.assert(
      fc.property(record, fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.string({ minLength: 64, maxLength: 64 }), (fields, seq, prevHash) => {
        expect(placedHash(unplacedText(fields), seq.toString(), prevHash)).toBe(hashRecord({ ...fields, seq: seq.toString(), prevHash }));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives a different hash for a different place in the chain', () => {
    const text = unplacedText({
      chainId: '00000000-0000-0000-0000-000000000001',
      organisationId: null,
      at: '2026-11-30T21:00:00.000Z',
      actorId: null,
      action: 'create',
      entity: 'spend',
      entityId: 'x',
      before: null,
      after: { amount: '1.00' },
      requestId: null,
    });
    const hashes = new Set([placedHash(text, '1', '0'.repeat(64)), placedHash(text, '2', '0'.repeat(64)), placedHash(text, '1', '1'.repeat(64))]);
    expect(hashes.size).toBe(3);
  });
});
