/**
 * Internals of {@link dev.pgseal.sql.StatementPlanner}: splitting a query string into statements,
 * parsing those that mention protected tables, resolving names against the policy and the catalog,
 * and turning what each protected column takes part in into text edits, parameter plans and result
 * origins, or a refusal.
 */
package dev.pgseal.sql.plan;
