import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeHttp } from '../../kube/kubeHttp';

/** Who the API server says this KubeConfig is (a SelfSubjectReview). */
export async function whoAmI(kc: KubeConfig): Promise<string | undefined> {
  const review = await kc
    .makeApiClient(AuthenticationV1Api)
    .createSelfSubjectReview({
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      },
    });
  return review.status?.userInfo?.username;
}

/** How many namespaces a list through Shipyard's read path (KubeHttp) returns: the reader's RBAC allows it. */
export async function listNamespaces(kc: KubeConfig): Promise<number> {
  const list = await new KubeHttp(kc, 10_000).getJson<{ items: unknown[] }>(
    '/api/v1/namespaces',
  );
  return list.items.length;
}
