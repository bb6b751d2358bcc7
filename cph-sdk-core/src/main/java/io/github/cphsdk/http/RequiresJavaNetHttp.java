package io.github.cphsdk.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the classes that use {@code java.net.http} and are never loaded on Android. The build's Android
 * API check (animal-sniffer, API level 26) skips them; the architecture test makes sure no other class
 * touches {@code java.net.http}. Kept in class files only.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface RequiresJavaNetHttp {}
