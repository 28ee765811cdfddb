package dev.hostupiso.worker.chaos;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's download origin answers HEAD with the registered size and never sends a body. */
class ChaosOriginTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void headAnswersTheSizeAndNothingElseGetsABody() throws Exception {
        try (ChaosOrigin origin = new ChaosOrigin("127.0.0.1")) {
            String url = origin.file("a.iso", ChaosSoak.bytesFor(Duration.ofSeconds(30)));
            assertThat(url).isEqualTo("http://127.0.0.1:" + origin.port() + "/a.iso");
            assertThat(origin.allowEntry()).isEqualTo("127.0.0.1:" + origin.port());

            HttpResponse<byte[]> head = send(url, "HEAD");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue("150000000");
            assertThat(head.body()).isEmpty();

            HttpResponse<byte[]> get = send(url, "GET");
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.body()).isEmpty();

            HttpResponse<byte[]> unknown = send(origin.baseUrl() + "/other.iso", "HEAD");
            assertThat(unknown.statusCode()).isEqualTo(404);

            assertThat(origin.heads()).isEqualTo(1);
            assertThat(origin.refused()).isEqualTo(2);
        }
    }

    @Test
    void sizesGiveTheWorkersAssumedRate() {
        assertThat(ChaosSoak.bytesFor(Duration.ofMillis(1500))).isEqualTo(7_500_000L);
        assertThat(ChaosSoak.bytesFor(Duration.ZERO)).isEqualTo(1L);
    }

    private HttpResponse<byte[]> send(String url, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
