import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AwsIamStrategy,
  AzureIdentityStrategy,
} from '@backstage/plugin-kubernetes-backend';
import { ConfigShipyardClusters } from '../ShipyardClustersService';
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

  it('reports a key that is not JSON on its cluster, without quoting the key', async () => {
    // e.g. the bare private key pasted instead of the key file's JSON:
    // JSON.parse quotes the first 10 characters of its input
    const secret = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC';
    const withKey = new ConfigReader({
      kubernetes: {
        googleServiceAccountCredentials: secret,
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'gke',
                url: 'https://gke.example.com',
                authProvider: 'googleServiceAccount',
              },
            ],
          },
        ],
      },
    });
    const clusters = ConfigShipyardClusters.fromConfig(withKey, {
      authStrategies: await loadUpstreamStrategies(['googleServiceAccount'], {
        config: withKey,
        logger: mockServices.logger.mock(),
      }),
    });
    const error = await clusters.getKubeConfig('gke').catch(e => e);
    expect(error.message).toMatch(
      /^cluster 'gke': authProvider 'googleServiceAccount' \(kubernetes\.clusterLocatorMethods\[0\]\.clusters\[0\]\.authProvider\) could not get a credential: Error: Failed to parse Google Service Account credentials from config/,
    );
    expect(error.message).not.toContain(secret.slice(0, 10));
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
