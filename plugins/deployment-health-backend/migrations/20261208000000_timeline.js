/*
 * The change timeline (src/timeline/TimelineStore.ts): one row per rollout
 * revision or status transition of a service (kubernetes-id) in a cluster
 * and namespace. Times are epoch milliseconds, which compare the same on
 * SQLite and PostgreSQL.
 */

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('timeline_entries', table => {
    table.comment('Rollouts and status transitions of services per cluster');
    table.bigIncrements('id').primary();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('kubernetes_id').notNullable();
    table
      .string('entry_key')
      .notNullable()
      .comment(
        'Natural key within the service and cluster: rollout/<workload uid>/<revision> or transition/<seq>',
      );
    table.string('type').notNullable().comment('rollout | transition');
    table
      .bigInteger('at')
      .notNullable()
      .comment('Rollout start or transition time, epoch ms');
    table.bigInteger('ended_at').nullable().comment('Rollout end, epoch ms');
    table
      .string('status')
      .notNullable()
      .comment('Rollout result, or the status a transition went to');
    table
      .integer('seq')
      .nullable()
      .comment('Transitions: position in the service’s transitions');
    table.text('data').notNullable().comment('The entry as JSON');
    // Every replica writes what it observes; this constraint keeps one row
    // per change (insert-or-ignore).
    table.unique(['cluster', 'namespace', 'kubernetes_id', 'entry_key'], {
      indexName: 'timeline_entries_natural_key',
    });
    table.index(
      ['kubernetes_id', 'namespace', 'at'],
      'timeline_entries_service_at',
    );
    table.index(['at'], 'timeline_entries_at');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('timeline_entries');
};
