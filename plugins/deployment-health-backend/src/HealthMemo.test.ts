import { clusterHealth } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { HealthMemo } from './HealthMemo';

describe('HealthMemo', () => {
  const health = clusterHealth({ name: 'dev', environment: 'dev' }, {});
  const inputs = { version: 1, now: 60_000, syncing: false };

  it('computes again only when an input changes', () => {
    const memo = new HealthMemo();
    const compute = jest.fn(() => health);
    memo.get('a', inputs, compute);
    memo.get('a', { ...inputs, now: 89_999 }, compute); // same 30 s step
    expect(compute).toHaveBeenCalledTimes(1);

    memo.get('a', { ...inputs, now: 90_000 }, compute);
    memo.get('a', { ...inputs, now: 90_000, version: 2 }, compute);
    memo.get(
      'a',
      { ...inputs, now: 90_000, version: 2, syncing: true },
      compute,
    );
    const error = { type: 'stale' as const, message: 'old', since: '' };
    memo.get(
      'a',
      { ...inputs, now: 90_000, version: 2, syncing: true, error },
      compute,
    );
    memo.get(
      'b',
      { ...inputs, now: 90_000, version: 2, syncing: true, error },
      compute,
    );
    expect(compute).toHaveBeenCalledTimes(6);
  });

  it('stays bounded', () => {
    const memo = new HealthMemo(2);
    const compute = jest.fn(() => health);
    for (const key of ['a', 'b', 'c', 'd']) memo.get(key, inputs, compute);
    memo.get('a', inputs, compute);
    expect(compute).toHaveBeenCalledTimes(5);
  });
});
