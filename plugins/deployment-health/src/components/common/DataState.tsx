import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import { ReactNode } from 'react';
import { PollingState } from '../../hooks/usePolling';
import { formatAgo } from './format';

/**
 * First load: a progress bar; first load failed: the error;
 * afterwards the children, with a notice when a refresh failed.
 */
export function DataState<T>(props: {
  state: PollingState<T>;
  children: (value: T) => ReactNode;
}) {
  const { state, children } = props;
  if (state.loading && state.value === undefined) {
    return <Progress aria-label="Loading deployment health" />;
  }
  if (state.value === undefined) {
    return state.error ? <ResponseErrorPanel error={state.error} /> : null;
  }
  return (
    <>
      {state.error ? (
        <Alert severity="warning" variant="outlined" role="alert">
          Could not refresh: {state.error.message}. Showing data from{' '}
          {formatAgo(state.updatedAt, new Date()) ?? 'earlier'}; retrying
          automatically.
        </Alert>
      ) : null}
      {children(state.value)}
    </>
  );
}
