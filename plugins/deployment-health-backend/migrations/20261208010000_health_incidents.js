/*
 * Health incidents (src/notify/IncidentStore.ts): services in a notified
 * environment that are, or were just, unwell; one row per service and
 * environment while there is something to announce. Times are epoch ms.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('health_incidents', table => {
    table.comment('Unwell services of notified environments, between looks');
    table.string('entity_ref').notNullable();
    table.string('environment').notNullable();
    table.string('state').notNullable().comment('pending | open');
    table.string('status').notNullable().comment('Failed | Degraded');
    table.bigInteger('since').notNullable();
    table.bigInteger('well_since').nullable();
    table.text('reasons').notNullable().comment('HealthReason[] as JSON');
    table.primary(['entity_ref', 'environment']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('health_incidents');
};
