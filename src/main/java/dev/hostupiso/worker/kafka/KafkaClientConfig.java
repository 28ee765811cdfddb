package dev.hostupiso.worker.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka settings every client of the worker shares (bootstrap servers, security, any
 * {@code kafka.*} property), without the ones that belong to one kind of client: consumer-group
 * and offset settings, transactional ids and (de)serializers. Each client adds its own.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {
    }

    /** A mutable copy of {@code kafkaConfig} that any producer, consumer or admin client can start from. */
    public static Map<String, Object> shared(Map<String, Object> kafkaConfig) {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.") || k.startsWith("transactional.")
                || k.contains("serializer") || k.contains("deserializer"));
        return props;
    }

    /** The producers' {@code max.request.size}: the configured {@code kafka.max.request.size}, else Kafka's 1 MiB default. */
    public static int maxRequestSize(Map<String, Object> kafkaConfig) {
        Object v = kafkaConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return v == null ? 1024 * 1024 : Integer.parseInt(v.toString().trim());
    }
}
