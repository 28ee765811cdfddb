package dev.hostupiso.worker.preflight;

import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Name resolution on its own small pool: a stuck lookup blocks none of the shared threads. The lookup is a stub. */
class SystemResolverTest {

    @Test
    void stuckLookupsFillOnlyTheResolversOwnBoundedPoolAndTheNextFailsAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        SystemResolver resolver = new SystemResolver(host -> {
            threads.add(Thread.currentThread().getName());
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }, 2, 3);
        try {
            List<UniAssertSubscriber<List<InetAddress>>> stuck = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // 2 running, 3 waiting
                stuck.add(resolver.resolve("slow" + i + ".test").subscribe().withSubscriber(UniAssertSubscriber.create()));
            }
            UniAssertSubscriber<List<InetAddress>> extra = resolver.resolve("one-more.test").subscribe()
                    .withSubscriber(UniAssertSubscriber.create());
            extra.awaitFailure(Duration.ofSeconds(5)).assertFailedWith(UnknownHostException.class);
            assertThat(extra.getFailure()).hasMessageContaining("busy");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> threads.size() == 2);
            assertThat(threads).allMatch(n -> n.startsWith("preflight-dns-"));
            release.countDown();
            for (var s : stuck) {
                s.awaitItem(Duration.ofSeconds(5));
            }
        } finally {
            release.countDown();
            resolver.close();
        }
    }
}
