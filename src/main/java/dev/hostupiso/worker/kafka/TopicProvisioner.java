package dev.hostupiso.worker.kafka;

import dev.hostupiso.worker.config.TeamTopics;
import dev.hostupiso.worker.config.WorkerConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Before the consumer starts, creates missing topics (the ledger compacted; the progress topic only
 * while progress events are on) and checks that the
 * ledger is co-partitioned with the request topic, refusing to start otherwise: ownership of a
 * request partition is ownership of the same ledger partition. Team request topics share the ledger
 * (their entries keyed apart) and so may have at most as many partitions.
 */
@ApplicationScoped
public class TopicProvisioner {

    private static final Logger LOG = Logger.getLogger(TopicProvisioner.class);

    private final WorkerConfig config;
    private final TeamTopics teams;
    private final Map<String, Object> kafkaConfig;

    public TopicProvisioner(WorkerConfig config, TeamTopics teams, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.teams = teams;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        ensureTopics();
    }

    private void ensureTopics() throws Exception {
        Map<String, Object> adminConfig = KafkaClientConfig.shared(kafkaConfig);
        try (Admin admin = Admin.create(adminConfig)) {
            WorkerConfig.Topics t = config.topics();
            Optional<Short> rf = t.replicationFactor();
            int requestPartitions = partitions(admin, config.requestsTopic())
                    .orElseGet(() -> create(admin, new NewTopic(config.requestsTopic(), Optional.of(t.partitions()), rf)));
            int ledgerPartitions = partitions(admin, config.ledgerTopic())
                    .orElseGet(() -> create(admin, new NewTopic(config.ledgerTopic(), Optional.of(requestPartitions), rf)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                    TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "60000"))));
            if (ledgerPartitions != requestPartitions) {
                throw new IllegalStateException("The job ledger topic '" + config.ledgerTopic() + "' has " + ledgerPartitions
                        + " partitions but the request topic '" + config.requestsTopic() + "' has " + requestPartitions
                        + ": they must be co-partitioned (same count), because ownership of a request partition is "
                        + "ownership of the same ledger partition. Recreate the ledger with " + requestPartitions
                        + " partitions (or point ISO_LEDGER_TOPIC at one that has).");
            }
            for (String team : teams.teamTopics().keySet()) {
                int n = partitions(admin, team).orElseGet(() -> create(admin, new NewTopic(team, Optional.of(requestPartitions), rf)));
                if (n > ledgerPartitions) {
                    throw new IllegalStateException("The team request topic '" + team + "' has " + n + " partitions but the "
                            + "job ledger topic '" + config.ledgerTopic() + "' has " + ledgerPartitions + ": a request "
                            + "partition is recorded in the ledger partition of the same number. Give the team topic at "
                            + "most " + ledgerPartitions + " partitions.");
                }
            }
            Set<String> outputs = new java.util.TreeSet<>(teams.teamEventsTopics());
            outputs.addAll(Set.of(config.eventsTopic(), config.dlqTopic()));
            for (String other : outputs) {
                if (partitions(admin, other).isEmpty()) {
                    create(admin, new NewTopic(other, Optional.of(t.partitions()), rf));
                }
            }
            String progress = config.progress().topic();
            if (config.progress().enabled() && partitions(admin, progress).isEmpty()) {
                if (t.create()) {
                    create(admin, new NewTopic(progress, Optional.of(t.partitions()), rf));
                } else {
                    // Progress events are best effort: a missing topic costs them, not the worker's start.
                    LOG.warnf("progress topic %s does not exist and ISO_TOPICS_CREATE is false: progress events will be "
                            + "dropped (create it, or set ISO_PROGRESS_ENABLED=false)", progress);
                }
            }
            LOG.infof("topics ready: %s and ledger %s co-partitioned with %d partitions", config.requestsTopic(),
                    config.ledgerTopic(), requestPartitions);
        }
    }

    private Optional<Integer> partitions(Admin admin, String topic) throws Exception {
        try {
            TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            return Optional.of(d.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private int create(Admin admin, NewTopic topic) {
        if (!config.topics().create()) {
            throw new IllegalStateException("Topic '" + topic.name() + "' does not exist and ISO_TOPICS_CREATE is false");
        }
        try {
            admin.createTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.infof("created topic %s (%d partitions)", topic.name(), topic.numPartitions());
            // Not described back: a topic just created may not be visible to describeTopics yet.
            return topic.numPartitions();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + topic.name(), e.getCause());
            }
            return awaitDescribed(admin, topic.name()); // another instance created it meanwhile
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + topic.name(), e);
        }
    }

    private int awaitDescribed(Admin admin, String topic) {
        try {
            for (int i = 0; i < 50; i++) {
                Optional<Integer> partitions = partitions(admin, topic);
                if (partitions.isPresent()) {
                    return partitions.get();
                }
                Thread.sleep(200); // start-up thread, before the consumer exists
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not describe topic " + topic, e);
        }
        throw new IllegalStateException("topic " + topic + " exists but cannot be described");
    }
}
