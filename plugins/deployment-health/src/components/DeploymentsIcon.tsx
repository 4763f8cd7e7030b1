import DnsIcon from '@material-ui/icons/Dns';
import StorageIcon from '@material-ui/icons/Storage';

/** Icon of the plugin (nav item, page header). */
export const DeploymentsIcon = () => <DnsIcon fontSize="inherit" />;

/** Icon of the Clusters page's nav item: another than the team view's, so the two items differ. */
export const ClustersIcon = () => <StorageIcon fontSize="inherit" />;
