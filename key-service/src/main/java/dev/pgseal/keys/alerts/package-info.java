/**
 * Alerts: rules evaluated in the server over the stream of audit events (denied requests, decrypt
 * volume, deletions, compromised keys, configuration changes) and the master key store's health.
 * Each alert becomes an audit event ({@code alert.<rule>}), a WARN log line, a metric through an
 * {@link dev.pgseal.keys.alerts.AlertObserver}, and optionally a webhook POST. {@link
 * dev.pgseal.keys.alerts.Alerts} is the entry point.
 */
package dev.pgseal.keys.alerts;
