import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AwsIamStrategy,
  AzureIdentityStrategy,
} from '@backstage/plugin-kubernetes-backend';
import { loadUpstreamStrategies } from './upstreamStrategies';

const config = new ConfigReader({});

describe('loadUpstreamStrategies', () => {
  it("builds upstream's own strategies for the providers asked for, only those", async () => {
    const logger = mockServices.logger.mock();
    const strategies = await loadUpstreamStrategies(
      ['serviceAccount', 'aws', 'azure', 'pinniped'],
      { config, logger },
    );
    expect(Object.keys(strategies).sort()).toEqual(['aws', 'azure']);
    expect(strategies.aws).toBeInstanceOf(AwsIamStrategy);
    expect(strategies.azure).toBeInstanceOf(AzureIdentityStrategy);
    expect(
      await loadUpstreamStrategies(['serviceAccount'], { config, logger }),
    ).toEqual({});
  });

  it('returns none and says why in a backend without @backstage/plugin-kubernetes-backend', async () => {
    let load: typeof loadUpstreamStrategies = loadUpstreamStrategies;
    jest.isolateModules(() => {
      jest.doMock('@backstage/plugin-kubernetes-backend', () => {
        throw Object.assign(new Error('Cannot find module'), {
          code: 'MODULE_NOT_FOUND',
        });
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      load = require('./upstreamStrategies').loadUpstreamStrategies;
    });
    expect(load).not.toBe(loadUpstreamStrategies);
    const logger = mockServices.logger.mock();
    expect(await load(['googleServiceAccount'], { config, logger })).toEqual(
      {},
    );
    expect(logger.warn).toHaveBeenCalledWith(
      'Cannot load @backstage/plugin-kubernetes-backend for authProvider googleServiceAccount (MODULE_NOT_FOUND)',
    );
  });
});
