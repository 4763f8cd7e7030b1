/**
 * Shipyard's permission policy for the permission backend: deployment-health
 * summaries for everyone signed in; details for the owning team and the
 * platform groups; everything else allowed, as in a create-app portal.
 *
 * @packageDocumentation
 */
export { permissionModuleShipyardPolicy as default } from './module';
export {
  ShipyardPermissionPolicy,
  type ShipyardPolicyUser,
} from './ShipyardPermissionPolicy';
