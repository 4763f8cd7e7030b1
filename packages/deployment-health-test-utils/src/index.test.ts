import {
  exampleFailedEntity,
  exampleGroupHealth,
  exampleHealthyEntity,
} from '.';

describe('example reports', () => {
  it('are computed by the rules', () => {
    expect(exampleHealthyEntity.status).toBe('Healthy');
    expect(exampleFailedEntity.status).toBe('Failed');
    expect(exampleFailedEntity.clusters.map(c => c.error?.type)).toEqual([
      undefined,
      'unreachable',
    ]);
    expect(exampleGroupHealth.status).toBe('Failed');
    expect(exampleGroupHealth.entities).toHaveLength(3);
  });
});
