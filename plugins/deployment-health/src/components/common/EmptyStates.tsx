import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_ID,
  ClusterError,
  ClustersPreparing,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { formatAgo } from './format';
import { SyncAge } from './SyncAge';

/** YAML to add to catalog-info.yaml so the service's workloads are found. */
export function annotationSnippet(entity?: Entity) {
  const name = entity?.metadata.name ?? 'my-service';
  return `metadata:
  annotations:
    ${ANNOTATION_KUBERNETES_ID}: ${name}
    # optional: restrict to one namespace
    # backstage.io/kubernetes-namespace: my-team`;
}

/** The entity has no Kubernetes annotation: say what to add, and where. */
export function MissingAnnotationState(props: { entity?: Entity }) {
  const { entity } = props;
  const name = entity?.metadata.name ?? 'my-service';
  return (
    <EmptyState
      missing="field"
      title="No Kubernetes annotation on this entity"
      description={
        <>
          Deployment health finds a service's workloads by the{' '}
          <code>{ANNOTATION_KUBERNETES_ID}</code> annotation. Add it to the
          entity's <code>catalog-info.yaml</code>, and put the same value in the{' '}
          <code>{ANNOTATION_KUBERNETES_ID}</code> label of your Deployment and
          its pod template (the Shipyard Helm chart does this for you, as{' '}
          <code>
            {ANNOTATION_KUBERNETES_ID}: {name}
          </code>
          ).
        </>
      }
      action={
        <Box maxWidth={640}>
          <CodeSnippet
            language="yaml"
            text={annotationSnippet(entity)}
            showCopyCodeButton
          />
        </Box>
      }
    />
  );
}

/** "step 2 of 11: building kube-apiserver", or the message alone. */
export function preparingText(preparing: ClustersPreparing) {
  const { message, step, steps } = preparing;
  return step && steps ? `step ${step} of ${steps}: ${message}` : message;
}

/**
 * The backend has no cluster to read: either they are on their way
 * (`preparing`, from deploymentHealth.preparingClusters) or none is
 * configured.
 */
export function NoClustersState(props: { preparing?: ClustersPreparing }) {
  if (props.preparing) {
    return (
      <Alert severity="info" variant="outlined">
        <AlertTitle>Clusters are being prepared</AlertTitle>
        {preparingText(props.preparing)}. Health appears here by itself when
        they are ready.
      </Alert>
    );
  }
  return (
    <EmptyState
      missing="info"
      title="No Kubernetes cluster configured"
      description={
        <>
          The deployment-health backend has no cluster to read, so there is
          nothing to show yet. Ask your platform team to add one under{' '}
          <code>kubernetes.clusterLocatorMethods</code> in{' '}
          <code>app-config.yaml</code> (with an <code>environment</code> label).
          In the Shipyard repository, <code>scripts/start</code> prepares two
          local clusters and configures them.
        </>
      }
      action={
        <Box maxWidth={640}>
          <CodeSnippet
            language="yaml"
            text={`kubernetes:
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: prod
          environment: production
          url: https://prod.k8s.example.com
          authProvider: serviceAccount
          serviceAccountToken: \${K8S_PROD_TOKEN}`}
          />
        </Box>
      }
    />
  );
}

/** Annotated, clusters configured, but no workload found anywhere. */
export function NotDeployedState(props: {
  entity?: Entity;
  clusterNames: string[];
}) {
  const { entity, clusterNames } = props;
  const id =
    entity?.metadata.annotations?.[ANNOTATION_KUBERNETES_ID] ??
    entity?.metadata.name;
  return (
    <EmptyState
      missing="data"
      title="Not deployed to any cluster"
      description={
        <>
          No Deployment, StatefulSet or DaemonSet labelled{' '}
          <code>
            {ANNOTATION_KUBERNETES_ID}={id}
          </code>{' '}
          was found in{' '}
          {clusterNames.length ? clusterNames.join(', ') : 'any cluster'}.
          Deploy the service (for example with its Helm chart), or check that
          the label on the workload matches the annotation.
        </>
      }
    />
  );
}

const ERROR_TITLES: Record<ClusterError['type'], string> = {
  unreachable: 'Cluster unreachable',
  unauthorized: 'Not authorized by the cluster',
  forbidden: 'Access forbidden by the cluster',
  timeout: 'Cluster did not answer in time',
  stale: 'Data may be out of date',
  misconfigured: 'Cluster misconfigured',
  unknown: 'Cluster error',
};

const ERROR_HINTS: Record<ClusterError['type'], string> = {
  unreachable:
    'The backend cannot connect to the API server. Shown data, if any, is from the last successful sync.',
  unauthorized:
    'The service account token is missing, invalid or expired. Ask your platform team to rotate it.',
  forbidden:
    'The service account lacks list/watch permission for these objects. Ask your platform team to fix its RBAC.',
  timeout:
    'The API server did not answer in time: it is overloaded or hung, or the network path to it is down. The backend keeps retrying; the figures shown are from the last confirmed sync.',
  stale:
    'The cluster answers, but its updates have not arrived for longer than the backend allows; the backend re-opens its watches. The figures shown are from the last confirmed sync.',
  misconfigured:
    'The cluster entry in the backend configuration is unusable. Ask your platform team to fix it.',
  unknown: 'The backend keeps retrying.',
};

/** A cluster's error, with what it means for the data shown. */
export function ClusterErrorNotice(props: {
  cluster: string;
  error: ClusterError;
  lastSyncedAt?: string;
  /** The data is older than the backend's staleAfterSeconds: its age leads. */
  stale?: boolean;
  now: Date;
}) {
  const { cluster, error, lastSyncedAt, stale, now } = props;
  const lastSynced = formatAgo(lastSyncedAt, now);
  return (
    <Alert
      severity={error.type === 'stale' ? 'warning' : 'error'}
      variant="outlined"
      data-testid="cluster-error"
    >
      <AlertTitle>
        {ERROR_TITLES[error.type] ?? 'Cluster error'}: {cluster}
        {stale ? (
          <>
            {' · '}
            <SyncAge lastSyncedAt={lastSyncedAt} stale now={now} />
          </>
        ) : null}
      </AlertTitle>
      <Typography variant="body2">
        {error.message}
        {error.statusCode ? ` (HTTP ${error.statusCode})` : ''}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {ERROR_HINTS[error.type]}
        {lastSynced && !stale ? ` Last synced ${lastSynced}.` : ''}
      </Typography>
    </Alert>
  );
}

/**
 * The backend did not read the service at all (its annotations ask for more
 * than its team's namespaces, it has no team owner, or the team view's budget
 * of custom-selector queries ran out): say why, instead of "not deployed".
 */
export function NotReadNotice(props: { reasons: HealthReason[] }) {
  return (
    <>
      {props.reasons.map(r => (
        <Alert key={`${r.code}-${r.annotation ?? ''}`} severity="warning">
          <AlertTitle>Not read: {r.code}</AlertTitle>
          {r.message}
        </Alert>
      ))}
    </>
  );
}

/** The caller may read only the summary of this service (the permission policy). */
export function DetailsRestrictedNotice() {
  return (
    <Alert severity="info">
      Pods, images, events and container messages are shown to the owning team
      and the platform groups only.
    </Alert>
  );
}

/** The team owns more components than one team view reports. */
export function ComponentsLeftOutNotice(props: { leftOut: number }) {
  return (
    <Alert severity="info" variant="outlined">
      {props.leftOut} more component{props.leftOut === 1 ? '' : 's'} of this
      team {props.leftOut === 1 ? 'is' : 'are'} not shown: a team view reports
      the first <code>deploymentHealth.maxGroupComponents</code> by name (a
      setting of the backend).
    </Alert>
  );
}
