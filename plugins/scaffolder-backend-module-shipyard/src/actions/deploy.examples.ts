import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Deploy the generated chart of component payments-api to the namespace of team-payments on the dev cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'shipyard:deploy',
          name: 'Deploy to dev',
          input: {
            chartPath: './chart',
            releaseName: 'payments-api',
            entityRef: 'component:default/payments-api',
            namespace: 'team-payments',
            cluster: 'dev',
            team: 'team-payments',
            valuesFiles: ['./chart/values.yaml', './chart/values-dev.yaml'],
            timeout: '3m',
          },
        },
      ],
    }),
  },
];
