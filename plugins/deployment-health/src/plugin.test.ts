import { deploymentHealthPlugin } from './plugin';

describe('deployment-health', () => {
  it('should export plugin', () => {
    expect(deploymentHealthPlugin).toBeDefined();
  });
});
