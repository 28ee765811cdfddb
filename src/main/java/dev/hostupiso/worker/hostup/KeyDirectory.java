package dev.hostupiso.worker.hostup;


import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a directory of team keys: one file per account, named after it, holding the key. Laid out
 * like a mounted Kubernetes Secret: the visible names are symbolic links into a hidden
 * {@code ..data} directory that the kubelet swaps atomically, so hidden entries are skipped and
 * links are followed. Each file is read on its own: one that cannot be read, is not UTF-8 or is
 * empty (a write caught half-way) keeps that account's last good key and says so; it neither stops
 * the other keys from being read nor takes the account away.
 */
final class KeyDirectory {

    private static final Logger LOG = Logger.getLogger(KeyDirectory.class);

    /** What reading one account's file gave. */
    sealed interface Read permits Key, Keep {
    }

    /** A key. */
    record Key(String token) implements Read {
    }

    /** No usable key this time ({@code empty}, {@code not_utf8}, {@code unreadable}): keep the last good one. */
    record Keep(String reason) implements Read {
    }

    private final Path dir;

    KeyDirectory(Path dir) {
        this.dir = dir;
    }

    Path path() {
        return dir;
    }

    /**
     * Every account file in the directory and what it held. Fails with {@link IOException} only when
     * the directory itself cannot be listed.
     */
    Map<String, Read> read() throws IOException {
        Map<String, Read> reads = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || Files.isDirectory(f)) {
                    continue;
                }
                if (!Account.NAME.matcher(name).find() || Account.DEFAULT.equals(name)) {
                    LOG.warnf("HOSTUP_ACCOUNTS_DIR: %s is not an account name, ignored", name);
                    continue;
                }
                reads.put(name, readOne(f));
            }
        }
        return reads;
    }

    private static Read readOne(Path f) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException | SecurityException e) {
            return new Keep("unreadable");
        }
        String token;
        try {
            token = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString().trim();
        } catch (CharacterCodingException e) {
            return new Keep("not_utf8");
        }
        return token.isEmpty() ? new Keep("empty") : new Key(token);
    }
}
