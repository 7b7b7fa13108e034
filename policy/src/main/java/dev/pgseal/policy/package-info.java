/**
 * pgseal's policy: which columns are encrypted, under which key rings, and which roles see
 * plaintext. Load a file with {@link dev.pgseal.policy.PolicyLoader} (user errors come back as
 * diagnostics with file, line and column, never as exceptions), keep it current with
 * {@link dev.pgseal.policy.PolicyWatcher}, compare it with a live database with
 * {@link dev.pgseal.policy.CatalogCheck}. The model types are immutable and thread-safe. The file
 * format is documented in docs/policy.md.
 */
package dev.pgseal.policy;
