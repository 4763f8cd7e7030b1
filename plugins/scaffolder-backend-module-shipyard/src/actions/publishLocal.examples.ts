import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the workspace to the local git directory and register it',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'shipyard:publish:local',
          name: 'Publish to the local git directory',
          input: { repoName: 'payments-api' },
        },
        {
          id: 'register',
          action: 'catalog:register',
          name: 'Register in the catalog',
          input: {
            catalogInfoUrl:
              "${{ steps['publish-local'].output.catalogInfoUrl }}",
          },
        },
      ],
    }),
  },
  {
    description: 'Replace an existing repository, on a custom branch',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'shipyard:publish:local',
          name: 'Publish to the local git directory',
          input: {
            repoName: 'payments-api',
            overwrite: true,
            defaultBranch: 'trunk',
            gitCommitMessage: 'Scaffold payments-api',
          },
        },
      ],
    }),
  },
];
