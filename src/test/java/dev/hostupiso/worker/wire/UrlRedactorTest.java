package dev.hostupiso.worker.wire;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class UrlRedactorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://releases.example.org/ubuntu-24.04-live-server-amd64.iso | https://releases.example.org/ubuntu-24.04-live-server-amd64.iso",
            "https://h.example/dl/tok3nSecretValue/ubuntu.iso                | https://h.example/…/ubuntu.iso",
            "https://user:Pa55w0rd@h.example:8443/a/b/c/debian.img?X-Amz-Signature=sig#frag | https://h.example:8443/…/debian.img?…",
            "https://h.example/download?token=s3cr3t                         | https://h.example/…?…",
            "https://h.example/dl/tok3nSecretValue                           | https://h.example/…",
            "https://h.example/dl/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2VjcmV0 | https://h.example/…",
            "https://h.example/                                              | https://h.example",
            "https://h.example                                               | https://h.example",
            "http://10.0.0.1:8080/x.iso#section                             | http://10.0.0.1:8080/x.iso",
            "not a url at all                                                | <unparseable url>",
            "ftp:relative                                                    | <unparseable url>",
    })
    void keepsSchemeHostPortAndAFileNameOnly(String url, String expected) {
        assertThat(UrlRedactor.redact(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://mirror-user:Pa55w0rdXYZ@h.example/x.iso | Pa55w0rdXYZ",
            "https://h.example/dl/PathTok3nXYZ/x.iso         | PathTok3nXYZ",
            "https://h.example/x.iso?sig=QueryTok3nXYZ       | QueryTok3nXYZ",
            "https://h.example/PathTok3nXYZ.abcdefghij       | PathTok3nXYZ",
    })
    void neverKeepsATokenWhereverItSits(String url, String secret) {
        assertThat(UrlRedactor.redact(url)).doesNotContain(secret).doesNotContain("mirror-user");
    }
}
