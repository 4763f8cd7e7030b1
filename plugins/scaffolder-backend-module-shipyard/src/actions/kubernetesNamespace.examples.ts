import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Prepare the namespace of the owner team on the cluster the task deploys to (the signed-in user must be a member of the team, or of a platform group)',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'shipyard:kubernetes:namespace',
          name: 'Prepare the team namespace',
          input: {
            namespace: 'team-payments',
            team: 'group:default/team-payments',
            clusters: ['dev'],
          },
        },
      ],
    }),
  },
  {
    description:
      'Prepare a team namespace on every cluster in shipyard.deploy.allowedClusters',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'shipyard:kubernetes:namespace',
          name: 'Prepare the team namespace',
          input: { namespace: 'team-payments', team: 'team-payments' },
        },
      ],
    }),
  },
];
