import { KubeConfig } from '@kubernetes/client-node';
import { FakeKubeApi } from '../__testUtils__/fakeKubeApi';
import { KubeHttp } from './kubeHttp';

function kc(url: string) {
  const k = new KubeConfig();
  k.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'tok' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return k;
}

describe('KubeHttp', () => {
  const api = new FakeKubeApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  it('lists', async () => {
    api.mode = 'ok';
    const http = new KubeHttp(kc(api.url), 1000);
    try {
      const res = await http.getJson<any>('/api/v1/pods', { labelSelector: 'a' });
      expect(res.items).toEqual([]);
    } catch (e) {
      // eslint-disable-next-line no-console
      console.log('raw', e, (e as any).cause);
      throw e;
    }
  });

  it('classifies', async () => {
    for (const [mode, type] of [['forbidden', 'forbidden'], ['unauthorized', 'unauthorized'], ['blackhole', 'timeout']] as const) {
      api.mode = mode;
      const http = new KubeHttp(kc(api.url), 300);
      await expect(http.getJson('/api/v1/pods')).rejects.toMatchObject({ type });
    }
    const http = new KubeHttp(kc('http://127.0.0.1:1'), 300);
    await expect(http.getJson('/api/v1/pods')).rejects.toMatchObject({ type: 'unreachable' });
  });
});
