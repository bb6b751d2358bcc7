/**
 * Immutable values of the CPH API: {@link io.github.cphsdk.model.ShareAppsRequest} and
 * {@link io.github.cphsdk.model.DeleteShareAppsRequest} (validated when built),
 * {@link io.github.cphsdk.model.ShareAppsResponse} and {@link io.github.cphsdk.model.ServerJob}; jobs
 * ({@link io.github.cphsdk.model.Job}, {@link io.github.cphsdk.model.JobStatus},
 * {@link io.github.cphsdk.model.JobList}); the outcome of a batched push
 * ({@link io.github.cphsdk.model.BatchOutcome}, {@link io.github.cphsdk.model.ServerOutcome}); and the report
 * of a wait for jobs ({@link io.github.cphsdk.model.JobReport}, {@link io.github.cphsdk.model.ServerProgress}).
 *
 * <pre>{@code
 * ShareAppsRequest request = ShareAppsRequest.builder()
 *     .packageName("com.example.game")
 *     .bucketName("my-bucket")
 *     .objectPath("apps/game.tar")
 *     .addServerIds("1234567b8bab40ffb711234cb80d0234")
 *     .build();
 * }</pre>
 */
@Value.Style(
    visibility = Value.Style.ImplementationVisibility.PACKAGE,
    overshadowImplementation = true,
    builderVisibility = Value.Style.BuilderVisibility.PUBLIC,
    validationMethod = Value.Style.ValidationMethod.NONE,
    jdkOnly = true,
    // no @Generated on generated classes: its annotation types are not on users' class path, and javac warns
    allowedClasspathAnnotations = {java.lang.Override.class},
    defaults = @Value.Immutable(copy = false, prehash = false))
package io.github.cphsdk.model;

import org.immutables.value.Value;
