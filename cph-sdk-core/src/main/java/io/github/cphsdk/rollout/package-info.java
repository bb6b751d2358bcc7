/**
 * Fleet rollouts: one push to any number of servers in waves (a canary first), stopped by a failure gate,
 * throttled as one, and journaled so that a rollout survives a crash without pushing any server twice.
 * Start with {@link io.github.cphsdk.CloudPhoneClient#rollout(io.github.cphsdk.model.ShareAppsRequest)}.
 */
package io.github.cphsdk.rollout;
