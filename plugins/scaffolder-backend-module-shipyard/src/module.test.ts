import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import feature, { scaffolderModule, shipyardLocalRepoUrlReader } from './index';

describe('shipyard scaffolder module', () => {
  it('registers the actions and a file:// reader for published repositories', async () => {
    const baseDir = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-module-')),
    );
    await fs.mkdir(path.join(baseDir, 'svc'));
    await fs.writeFile(
      path.join(baseDir, 'svc', 'catalog-info.yaml'),
      'kind: Component\n',
    );

    const addActions = jest.fn();
    let read: string | undefined;
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(reg) {
        reg.registerInit({
          deps: { urlReader: coreServices.urlReader },
          async init({ urlReader }) {
            const res = await urlReader.readUrl(
              pathToFileURL(path.join(baseDir, 'svc', 'catalog-info.yaml'))
                .href,
            );
            read = (await res.buffer()).toString();
          },
        });
      },
    });
    await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      // startTestBackend does not look into feature loaders: add what the default export loads
      features: [
        scaffolderModule,
        shipyardLocalRepoUrlReader,
        probe,
        mockServices.rootConfig.factory({
          data: { shipyard: { publish: { local: { baseDir } } } },
        }),
      ],
    });
    const ids = addActions.mock.calls.flat().map((a: any) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'shipyard:team:check',
        'shipyard:template:record',
        'shipyard:validate',
        'shipyard:publish:local',
        'shipyard:kubernetes:namespace',
        'shipyard:deploy',
        'shipyard:deployment:status',
      ]),
    );
    expect(read).toBe('kind: Component\n');
    expect((feature as any).$$type).toBe('@backstage/BackendFeature');
    await fs.rm(baseDir, { recursive: true, force: true });
  });
});
