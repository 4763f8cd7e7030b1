import { sanitize } from './sanitize';

describe('sanitize', () => {
  it('removes env values, last-applied config and managed fields from pods and templates', () => {
    const secret = 'hunter2-env-value';
    const container = () => ({
      name: 'app',
      image: 'x:1',
      env: [
        { name: 'DB_PASSWORD', value: secret },
        { name: 'REF', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      envFrom: [{ secretRef: { name: 's' } }],
      args: [`--password=${secret}`],
    });
    const pod = sanitize({
      kind: 'Pod',
      metadata: {
        name: 'p',
        managedFields: [{ manager: 'kubectl' }],
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': secret,
          keep: 'me',
        },
      },
      spec: { containers: [container()], initContainers: [container()] },
    } as any);
    const deploy = sanitize({
      metadata: { name: 'd' },
      spec: { template: { spec: { containers: [container()] } } },
    } as any);
    expect(JSON.stringify([pod, deploy])).not.toContain(secret);
    expect(JSON.stringify([pod, deploy])).not.toContain('secretKeyRef');
    expect((pod as any).spec.containers[0].env).toEqual([
      { name: 'DB_PASSWORD' },
      { name: 'REF' },
    ]);
    expect(pod.metadata!.annotations).toEqual({ keep: 'me' });
    expect(pod.metadata!.managedFields).toBeUndefined();
  });
});
