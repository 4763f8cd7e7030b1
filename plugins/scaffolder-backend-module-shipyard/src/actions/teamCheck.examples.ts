import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'First step of a template: go on only when the signed-in user may act for the owner chosen in the form',
    example: yaml.stringify({
      steps: [
        {
          id: 'team',
          action: 'shipyard:team:check',
          name: 'Check that you may act for the team',
          input: { team: '${{ parameters.owner }}' },
        },
      ],
    }),
  },
];
