import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Validate the whole workspace after fetch:template',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'shipyard:validate',
          name: 'Check policy baselines',
        },
      ],
    }),
  },
  {
    description: 'Validate a sub-directory and also fail on warnings',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'shipyard:validate',
          name: 'Check policy baselines',
          input: { path: 'service', failOnWarnings: true },
        },
      ],
    }),
  },
];
