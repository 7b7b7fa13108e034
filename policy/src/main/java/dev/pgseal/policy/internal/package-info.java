/** Internals of the policy module: validation rules and PostgreSQL identifier handling. Not API. */
package dev.pgseal.policy.internal;
