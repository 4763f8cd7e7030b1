import {
  compareWorstFirst,
  HealthReason,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import { makeStyles } from '@material-ui/core/styles';
import { StatusIcon } from './StatusIcon';

const useStyles = makeStyles(theme => ({
  item: { paddingTop: 0, paddingBottom: 0, alignItems: 'flex-start' },
  icon: { minWidth: 28, marginTop: theme.spacing(0.75) },
  code: { fontWeight: 600, marginRight: theme.spacing(1) },
  text: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
}));

/** Why something is not healthy: one line per reason, worst first. */
export function ReasonList(props: {
  reasons: HealthReason[];
  /** Show object kind/name beside each reason. */
  showObject?: boolean;
  'aria-label'?: string;
}) {
  const { reasons, showObject } = props;
  const classes = useStyles();
  const shown = reasons
    .filter(r => r.status !== 'Healthy')
    .sort((a, b) => compareWorstFirst(a.status, b.status));
  if (shown.length === 0) return null;
  return (
    <List dense disablePadding aria-label={props['aria-label'] ?? 'Reasons'}>
      {shown.map((r, i) => (
        <ListItem
          key={`${r.code}-${r.object?.name ?? ''}-${i}`}
          className={classes.item}
          disableGutters
        >
          <ListItemIcon className={classes.icon}>
            <StatusIcon status={r.status} />
          </ListItemIcon>
          <ListItemText
            className={classes.text}
            primaryTypographyProps={{ className: classes.text }}
            primary={
              <>
                <span className={classes.code}>{r.code}</span>
                {r.message}
              </>
            }
            secondary={
              showObject && r.object
                ? `${r.object.kind} ${r.object.name}`
                : undefined
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
