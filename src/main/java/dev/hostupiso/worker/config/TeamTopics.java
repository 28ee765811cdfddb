package dev.hostupiso.worker.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which account's key a request may spend, decided by the topic it was read from, so that Kafka's
 * own access control (who may write which topic) is the boundary between teams, not a field anyone
 * can write. A team's topics ({@code HOSTUP_ACCOUNTS_<NAME>_TOPICS}, comma-separated, or
 * {@code hostup.accounts.<name>.topics}) carry only that team's requests; the shared request topic
 * ({@code ISO_REQUESTS_TOPIC}) carries only the default account's. A team may have its own topic
 * for outcomes and progress events ({@code HOSTUP_ACCOUNTS_<NAME>_EVENTS_TOPIC}), so that no other
 * team reads its VPS ids and file names. Immutable; checked on construction.
 */
public final class TeamTopics {

    /** The account of the shared request topic (the key {@code HOSTUP_API_TOKEN}). */
    public static final String DEFAULT_ACCOUNT = "default";
    /** What an account name must be: the request schema's pattern. */
    public static final Pattern ACCOUNT_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?(?![\\s\\S])");
    /** What Kafka accepts as a topic name. */
    private static final Pattern TOPIC_NAME = Pattern.compile("^[A-Za-z0-9._-]{1,249}(?![\\s\\S])");
    private static final Pattern ENV_TOPICS = Pattern.compile("^HOSTUP_ACCOUNTS_([A-Z0-9_]+)_TOPICS$");
    private static final Pattern ENV_EVENTS = Pattern.compile("^HOSTUP_ACCOUNTS_([A-Z0-9_]+)_EVENTS_TOPIC$");
    private static final Pattern PROP_TOPICS = Pattern.compile("^hostup\\.accounts\\.([^.]+)\\.topics$");
    private static final Pattern PROP_EVENTS = Pattern.compile("^hostup\\.accounts\\.([^.]+)\\.events-topic$");

    private final String sharedRequests;
    private final String sharedEvents;
    private final String sharedProgress;
    private final Set<String> reserved;
    private final Map<String, String> accountByTopic;
    private final Map<String, String> eventsByAccount;

    /**
     * @param others          the worker's other topics (ledger, dead letters): no team's
     * @param accountByTopic  team request topic → its account
     * @param eventsByAccount team account → its own outcome and progress topic
     */
    public TeamTopics(String sharedRequests, String sharedEvents, String sharedProgress, Set<String> others,
                      Map<String, String> accountByTopic, Map<String, String> eventsByAccount) {
        this.sharedRequests = sharedRequests;
        this.sharedEvents = sharedEvents;
        this.sharedProgress = sharedProgress;
        Set<String> all = new TreeSet<>(others);
        all.addAll(List.of(sharedRequests, sharedEvents, sharedProgress));
        this.reserved = Set.copyOf(all);
        this.accountByTopic = Map.copyOf(accountByTopic);
        this.eventsByAccount = Map.copyOf(eventsByAccount);
        check();
    }

    /** The teams' topics among configuration {@code names} (environment variables and properties). */
    public static TeamTopics read(Iterable<String> names, Function<String, Optional<String>> value, WorkerConfig worker) {
        return read(names, value, worker.requestsTopic(), worker.eventsTopic(), worker.progress().topic(),
                Set.of(worker.ledgerTopic(), worker.dlqTopic()));
    }

    /** The teams' topics among configuration {@code names}, around the given shared topics. */
    public static TeamTopics read(Iterable<String> names, Function<String, Optional<String>> value, String sharedRequests,
                                  String sharedEvents, String sharedProgress, Set<String> others) {
        Map<String, String> accountByTopic = new TreeMap<>();
        Map<String, String> eventsByAccount = new TreeMap<>();
        for (String n : names) {
            String topicsOf = account(n, ENV_TOPICS, PROP_TOPICS);
            String eventsOf = account(n, ENV_EVENTS, PROP_EVENTS);
            if (topicsOf != null) {
                for (String t : value.apply(n).orElse("").split(",")) {
                    String topic = t.trim();
                    String before = topic.isEmpty() ? null : accountByTopic.put(topic, topicsOf);
                    if (before != null && !before.equals(topicsOf)) {
                        throw new IllegalStateException("request topic '" + topic + "' is bound to both account " + before
                                + " and account " + topicsOf + "; a topic belongs to one team. Refusing to start.");
                    }
                }
            } else if (eventsOf != null) {
                value.apply(n).map(String::trim).filter(t -> !t.isEmpty()).ifPresent(t -> eventsByAccount.put(eventsOf, t));
            }
        }
        return new TeamTopics(sharedRequests, sharedEvents, sharedProgress, others, accountByTopic, eventsByAccount);
    }

    /** The account a team setting's name is about, or null when {@code name} is not such a setting. */
    private static String account(String name, Pattern env, Pattern property) {
        Matcher e = env.matcher(name);
        Matcher p = property.matcher(name);
        String account;
        if (e.matches()) {
            account = e.group(1).toLowerCase(Locale.ROOT).replace('_', '-');
        } else if (p.matches()) {
            account = p.group(1);
        } else {
            return null;
        }
        if (!ACCOUNT_NAME.matcher(account).find() || DEFAULT_ACCOUNT.equals(account)) {
            throw new IllegalStateException(name + " does not name a team account (1-32 characters of [a-z0-9-], not "
                    + "starting or ending with '-', not 'default'); refusing to start.");
        }
        return account;
    }

    private void check() {
        accountByTopic.forEach((topic, account) -> {
            requireTopicName(topic, "HOSTUP_ACCOUNTS_" + env(account) + "_TOPICS");
            if (reserved.contains(topic) || eventsByAccount.containsValue(topic)) {
                throw new IllegalStateException("HOSTUP_ACCOUNTS_" + env(account) + "_TOPICS names '" + topic + "', which is "
                        + "one of the worker's shared or outcome topics, not a request topic of its own; refusing to start.");
            }
        });
        Map<String, String> accountByEvents = new TreeMap<>();
        eventsByAccount.forEach((account, topic) -> {
            String setting = "HOSTUP_ACCOUNTS_" + env(account) + "_EVENTS_TOPIC";
            requireTopicName(topic, setting);
            if (!accountByTopic.containsValue(account)) {
                throw new IllegalStateException(setting + " is set but account " + account + " has no request topic "
                        + "(HOSTUP_ACCOUNTS_" + env(account) + "_TOPICS); refusing to start.");
            }
            if (reserved.contains(topic) || accountByTopic.containsKey(topic) || accountByEvents.putIfAbsent(topic, account) != null) {
                throw new IllegalStateException(setting + " names '" + topic + "', which other readers see too (a shared "
                        + "topic or another team's); refusing to start.");
            }
        });
    }

    private static void requireTopicName(String topic, String setting) {
        if (!TOPIC_NAME.matcher(topic).find()) {
            throw new IllegalStateException(setting + ": '" + topic + "' is not a Kafka topic name; refusing to start.");
        }
    }

    private static String env(String account) {
        return account.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Every topic requests are read from: the shared one first, then the teams'. */
    public List<String> requestTopics() {
        List<String> all = new ArrayList<>();
        all.add(sharedRequests);
        all.addAll(new TreeSet<>(accountByTopic.keySet()));
        return all;
    }

    /** The team request topics: topic → account. */
    public Map<String, String> teamTopics() {
        return accountByTopic;
    }

    /** The teams' own outcome topics. */
    public Collection<String> teamEventsTopics() {
        return new TreeSet<>(eventsByAccount.values());
    }

    /**
     * The account whose key a request read from {@code topic} spends: the topic's team (or the default
     * account on the shared topic) when the request names no account or that one; empty when it names
     * another, which it may not spend.
     */
    public Optional<String> accountFor(String topic, String requested) {
        String bound = boundAccount(topic);
        return requested == null || requested.equals(bound) ? Optional.of(bound) : Optional.empty();
    }

    /** The account bound to {@code topic}: its team's, or the default account's (the shared topic; null is it too). */
    public String boundAccount(String topic) {
        return topic == null ? DEFAULT_ACCOUNT : accountByTopic.getOrDefault(topic, DEFAULT_ACCOUNT);
    }

    /** The shared request topic ({@code ISO_REQUESTS_TOPIC}). */
    public String sharedRequests() {
        return sharedRequests;
    }

    /** Where the outcome of a request read from {@code requestTopic} is published. */
    public String eventsTopic(String requestTopic) {
        return teamEvents(requestTopic).orElse(sharedEvents);
    }

    /** Where progress of a request read from {@code requestTopic} is published: its team's topic, if it has one. */
    public String progressTopic(String requestTopic) {
        return teamEvents(requestTopic).orElse(sharedProgress);
    }

    private Optional<String> teamEvents(String requestTopic) {
        String account = requestTopic == null ? null : accountByTopic.get(requestTopic);
        return Optional.ofNullable(account == null ? null : eventsByAccount.get(account));
    }
}
