import DnsIcon from '@material-ui/icons/Dns';

/** Icon of the plugin (nav item, page header). */
export const DeploymentsIcon = () => <DnsIcon fontSize="inherit" />;
