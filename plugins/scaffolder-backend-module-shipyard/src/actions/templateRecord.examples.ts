import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Record the template, its version and the answers in .shipyard/template.yaml, and annotate the generated catalog-info.yaml with them',
    example: yaml.stringify({
      steps: [
        {
          id: 'template',
          action: 'shipyard:template:record',
          name: 'Record the template version and the answers',
          input: { answers: '${{ parameters }}' },
        },
        {
          id: 'fetch-base',
          action: 'fetch:template',
          name: 'Repository basics',
          input: {
            url: './skeleton',
            values: {
              name: '${{ parameters.name }}',
              templateRef: "${{ steps['template'].output.templateRef }}",
              templateVersion: "${{ steps['template'].output.version }}",
            },
          },
        },
      ],
    }),
  },
];
