package dev.hostupiso.worker.deploy;

import static dev.hostupiso.worker.deploy.ChartDocs.ports;
import static dev.hostupiso.worker.deploy.HelmChartTest.template;
import static dev.hostupiso.worker.deploy.Rendered.CHART;
import static dev.hostupiso.worker.deploy.Rendered.JSON;
import static dev.hostupiso.worker.deploy.Rendered.documents;
import static dev.hostupiso.worker.deploy.Rendered.elements;
import static dev.hostupiso.worker.deploy.Rendered.single;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.TemplateCommand;
import dev.hostupiso.worker.config.PreflightMode;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NetworkPolicy's egress to download origins, which follows the URL preflight's mode: the
 * preflight connects to each request's URL (and its redirects) in {@code check} and {@code resolve}
 * and never in {@code off}. Also its extension points and the {@code helm test} pod's ingress.
 */
class ChartNetworkPolicyTest {

    static final List<String> PRIVATE_V4 = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
            "100.64.0.0/10");

    static List<JsonNode> egress(UnaryOperator<TemplateCommand> options) {
        List<JsonNode> docs = documents(template(t -> options.apply(t.set("networkPolicy.enabled", "true")
                .set("networkPolicy.kafka.to[0].namespaceSelector.matchLabels.team", "kafka"))));
        return elements(single(docs, "NetworkPolicy").at("/spec/egress"));
    }

    /** The egress rules whose ports include 80: only the download-origin rules (DNS, Kafka and HostUp use other ports). */
    static List<JsonNode> originRules(List<JsonNode> egress) {
        return egress.stream().filter(r -> ports(r).contains("80/TCP")).toList();
    }

    @Test
    @DisplayName("the chart offers exactly the worker's preflight modes")
    void chartModesAreTheWorkersModes() throws Exception {
        JsonNode mode = JSON.readTree(CHART.resolve("values.schema.json").toFile())
                .at("/properties/worker/properties/urlPreflight/properties/mode/enum");
        assertThat(elements(mode)).extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(PreflightMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
    }

    @ParameterizedTest(name = "ISO_URL_PREFLIGHT={0}")
    @EnumSource(PreflightMode.class)
    @DisplayName("download origins on 80 and 443 are reachable exactly when the preflight connects to them, private ranges excluded")
    void originEgressFollowsThePreflightMode(PreflightMode mode) {
        String value = mode.name().toLowerCase(Locale.ROOT);
        List<JsonNode> egress = egress(t -> t.set("worker.urlPreflight.mode", value));
        List<JsonNode> origins = originRules(egress);
        if (mode == PreflightMode.OFF) {
            assertThat(origins).as("no preflight, no connection to origins").isEmpty();
            assertThat(egress).hasSize(3);
            return;
        }
        assertThat(origins).singleElement().satisfies(rule -> {
            assertThat(ports(rule)).containsExactlyInAnyOrder("80/TCP", "443/TCP");
            List<JsonNode> blocks = elements(rule.path("to"));
            assertThat(blocks).extracting(b -> b.at("/ipBlock/cidr").asText()).containsExactlyInAnyOrder("0.0.0.0/0", "::/0");
            JsonNode v4 = blocks.stream().filter(b -> b.at("/ipBlock/cidr").asText().equals("0.0.0.0/0")).findFirst().orElseThrow();
            assertThat(elements(v4.at("/ipBlock/except"))).extracting(JsonNode::asText).containsAll(PRIVATE_V4);
            JsonNode v6 = blocks.stream().filter(b -> b.at("/ipBlock/cidr").asText().equals("::/0")).findFirst().orElseThrow();
            assertThat(elements(v6.at("/ipBlock/except"))).extracting(JsonNode::asText).contains("fc00::/7", "fe80::/10");
        });
        assertThat(egress).hasSize(4);
    }

    @Test
    @DisplayName("CIDRs and addresses the preflight may reach get their own egress rule, with their port or 80/443; host names get none")
    void allowListEntriesGetRules() {
        List<JsonNode> egress = egress(t -> t.set("worker.urlPreflight.mode", "resolve")
                .set("worker.urlPreflight.allow[0]", "10.20.0.0/16").set("worker.urlPreflight.allow[1]", "10.0.0.5:8443")
                .set("worker.urlPreflight.allow[2]", "[fd00::5]:8080").set("worker.urlPreflight.allow[3]", "fd00:1::/64")
                .set("worker.urlPreflight.allow[4]", "mirror.internal:8443"));
        assertThat(egress).hasSize(8);
        assertThat(egress.subList(4, 8)).extracting(r -> r.at("/to/0/ipBlock/cidr").asText() + " " + ports(r))
                .containsExactly("10.20.0.0/16 [80/TCP, 443/TCP]", "10.0.0.5/32 [8443/TCP]", "fd00::5/128 [8080/TCP]",
                        "fd00:1::/64 [80/TCP, 443/TCP]");
        assertThat(egress(t -> t.set("worker.urlPreflight.mode", "off").set("worker.urlPreflight.allow[0]", "10.20.0.0/16")))
                .as("with the preflight off, allowed origins are not reached either").hasSize(3);
    }

    @Test
    @DisplayName("the origin rule can be switched off or narrowed, and extraEgress/extraIngress are appended")
    void originRuleIsAdaptable() {
        assertThat(originRules(egress(t -> t.set("networkPolicy.downloadOrigins.enabled", "false")))).isEmpty();
        List<JsonNode> narrowed = egress(t -> t.withValuesFile(ChartDocs.valuesFile("""
                networkPolicy:
                  downloadOrigins:
                    to: [{ipBlock: {cidr: 203.0.113.0/24}}]
                    ports: [443]
                """)));
        assertThat(narrowed).hasSize(4);
        assertThat(narrowed.get(3).at("/to/0/ipBlock/cidr").asText()).isEqualTo("203.0.113.0/24");
        assertThat(ports(narrowed.get(3))).containsExactly("443/TCP");

        List<JsonNode> docs = documents(template(t -> t.withValuesFile(HelmChartTest.ALL_ON)));
        JsonNode np = single(docs, "NetworkPolicy");
        List<JsonNode> egress = elements(np.at("/spec/egress"));
        assertThat(egress.get(egress.size() - 1).at("/to/0/ipBlock/cidr").asText()).as("extraEgress last").isEqualTo("10.40.0.7/32");
        List<JsonNode> ingress = elements(np.at("/spec/ingress"));
        assertThat(ingress).hasSize(2);
        assertThat(ports(ingress.get(1))).containsExactly("15090/TCP");
        assertThat(elements(ingress.get(0).path("from"))).as("the helm test pod may reach the worker")
                .anySatisfy(peer -> assertThat(peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText())
                        .isEqualTo("hostup-iso-worker-test"));
    }
}
