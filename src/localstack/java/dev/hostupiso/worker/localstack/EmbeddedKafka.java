package dev.hostupiso.worker.localstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Apache Kafka's own single-node KRaft broker (broker and controller combined), started in this
 * JVM. The same version as the kafka-clients the Quarkus BOM manages; see the pom.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts a broker whose data lives under {@code baseDir} (kept out of /tmp, under target/). */
    public static EmbeddedKafka start(Path baseDir) {
        try {
            Files.createDirectories(baseDir);
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    // The default is an unstable testing version.
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBaseDirectory(Files.createTempDirectory(baseDir, "kraft-"))
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "3")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics (name → partitions), replication factor 1. */
    public void createTopics(Map<String, Integer> topics) {
        createTopics(bootstrapServers(), topics);
    }

    /** Creates topics (name → partitions), replication factor 1, on any broker. */
    public static void createTopics(String bootstrapServers, Map<String, Integer> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(topics.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList()).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + topics.keySet(), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a broker on its own: {@code EmbeddedKafka <dir>} prints the bootstrap address. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = start(Path.of(args.length > 0 ? args[0] : "target/kafka"));
        System.out.println("bootstrap.servers=" + kafka.bootstrapServers() + " " + Arrays.toString(args));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        Thread.currentThread().join();
    }
}
