import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  allRevocationShards,
  revocationItem,
  revocationOf,
  revocationQuery,
} from '../../../src/store/revocation-feed';

describe('the revocation feed entry', () => {
  it('reads back its sid and time, and sorts by time as a string', () => {
    const early = revocationItem('sid-a', 999);
    const late = revocationItem('sid-b', 1_767_225_600_000);
    expect(revocationOf(early.sk)).toEqual({ sid: 'sid-a', at: 999 });
    expect(revocationOf(late.sk)).toEqual({ sid: 'sid-b', at: 1_767_225_600_000 });
    expect(early.sk < late.sk).toBe(true);
    expect(late.ttl).toBe(1_767_225_600 + 2 * 86_400);
  });

  it('keeps a sid in one shard, and spreads sids over every shard', () => {
    expect(revocationItem('sid-a', 1).pk).toBe(revocationItem('sid-a', 2).pk);
    const used = new Set(Array.from({ length: 400 }, () => revocationItem(randomUUID(), 1).pk));
    expect([...used].sort()).toEqual(allRevocationShards.map((n) => `REVOKED#${n}`));
  });

  it('queries from the first entry at or after `since`', () => {
    const query = revocationQuery(2, 1000);
    expect(query.values).toEqual({ ':pk': 'REVOKED#2', ':from': `${'1000'.padStart(15, '0')}#` });
    expect(revocationItem('x', 1000).sk >= query.values[':from']).toBe(true);
    expect(revocationItem('x', 999).sk >= query.values[':from']).toBe(false);
  });
});
