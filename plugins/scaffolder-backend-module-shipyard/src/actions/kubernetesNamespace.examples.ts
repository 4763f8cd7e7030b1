import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Prepare the team namespace on every configured cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'shipyard:kubernetes:namespace',
          name: 'Prepare the team namespace',
          input: { namespace: 'payments', team: 'team-payments' },
        },
      ],
    }),
  },
  {
    description: 'Prepare the namespace on selected clusters only',
    example: yaml.stringify({
      steps: [
        {
          id: 'namespace',
          action: 'shipyard:kubernetes:namespace',
          name: 'Prepare the team namespace',
          input: {
            namespace: 'payments',
            team: 'team-payments',
            clusters: ['dev'],
          },
        },
      ],
    }),
  },
];
