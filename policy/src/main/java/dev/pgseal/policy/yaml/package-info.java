/**
 * A small reader for YAML configuration files that keeps file, line and column on every node and
 * collects every problem instead of stopping at the first: {@link dev.pgseal.policy.yaml.YamlReader}
 * builds the tree, {@link dev.pgseal.policy.yaml.YamlFields} gives typed access that records
 * {@link dev.pgseal.policy.yaml.Diagnostic}s (unknown keys with "did you mean", wrong shapes,
 * durations), {@link dev.pgseal.policy.yaml.Diagnostics} collects them. Generic: used for the policy
 * and the server config.
 */
package dev.pgseal.policy.yaml;
