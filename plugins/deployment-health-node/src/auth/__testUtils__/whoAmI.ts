import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';

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
