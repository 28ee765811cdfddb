package dev.hostupiso.worker.testsupport;

import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.Order;

import java.util.Comparator;

/**
 * Test classes by name, except those that say otherwise with {@link Order} (unannotated ones count as
 * {@link Order#DEFAULT}). Quarkus' orderer groups the classes by test profile first and uses this one within a
 * group (the Surefire system property {@code junit.quarkus.orderer.secondary-orderer}, read from Quarkus' config):
 * a class that waits for the shared worker to have been up a while runs after the others instead of waiting first.
 */
public final class OrderThenClassName implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator
                .comparingInt((ClassDescriptor d) -> d.findAnnotation(Order.class).map(Order::value).orElse(Order.DEFAULT))
                .thenComparing(d -> d.getTestClass().getName()));
    }
}
