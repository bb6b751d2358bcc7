/**
 * Internals of the testkit (signature algorithm, field rules). Not API: may change in any release.
 */
package io.github.cphsdk.testkit.internal;
