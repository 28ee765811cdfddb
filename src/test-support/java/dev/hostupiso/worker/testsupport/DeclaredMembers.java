package dev.hostupiso.worker.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contract's schemas are open for consumers (members they do not list are allowed), so a
 * schema validator alone would not notice the worker writing a member the contract never
 * mentions, a misspelt one say. This finds such members: every member of an object whose schema
 * lists properties must be one of them, through {@code $ref}, {@code allOf}, {@code anyOf},
 * {@code oneOf} and array {@code items}.
 */
final class DeclaredMembers {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A schema node and the file it is in (null: the AsyncAPI document), against which {@code $ref}s resolve. */
    private record Located(JsonNode node, String file) {
    }

    private final JsonNode document;
    private final Map<String, JsonNode> files = new ConcurrentHashMap<>();

    DeclaredMembers(JsonNode document) {
        this.document = document;
    }

    /** JSON pointers of the members of {@code instance} that the schema at {@code pointer} in the document does not list. */
    List<String> undeclared(String pointer, JsonNode instance) {
        List<String> out = new ArrayList<>();
        walk(List.of(new Located(document.at(pointer), null)), instance, "", out);
        return out;
    }

    private void walk(List<Located> schemas, JsonNode instance, String path, List<String> out) {
        List<Located> all = new ArrayList<>();
        schemas.forEach(s -> expand(s, all));
        if (instance.isObject()) {
            Map<String, List<Located>> declared = new LinkedHashMap<>();
            for (Located s : all) {
                for (Iterator<Map.Entry<String, JsonNode>> it = s.node().path("properties").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> p = it.next();
                    declared.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(new Located(p.getValue(), s.file()));
                }
            }
            if (declared.isEmpty()) {
                return; // a schema that describes no members (a free-form object)
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = instance.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String at = path + "/" + f.getKey().replace("~", "~0").replace("/", "~1");
                if (!declared.containsKey(f.getKey())) {
                    out.add(at);
                } else {
                    walk(declared.get(f.getKey()), f.getValue(), at, out);
                }
            }
        } else if (instance.isArray()) {
            List<Located> items = all.stream().filter(s -> s.node().has("items"))
                    .map(s -> new Located(s.node().get("items"), s.file())).toList();
            for (int i = 0; i < instance.size() && !items.isEmpty(); i++) {
                walk(items, instance.get(i), path + "/" + i, out);
            }
        }
    }

    /** {@code s} and every schema it takes members from. */
    private void expand(Located s, List<Located> out) {
        out.add(s);
        String ref = s.node().path("$ref").asText("");
        if (!ref.isEmpty()) {
            expand(resolve(ref, s.file()), out);
        }
        for (String combinator : new String[] {"allOf", "anyOf", "oneOf"}) {
            s.node().path(combinator).forEach(part -> expand(new Located(part, s.file()), out));
        }
    }

    private Located resolve(String ref, String file) {
        int hash = ref.indexOf('#');
        String target = hash < 0 ? ref : ref.substring(0, hash);
        String fragment = hash < 0 ? "" : ref.substring(hash + 1);
        String targetFile = target.isEmpty() ? file
                : file == null ? target : file.substring(0, file.lastIndexOf('/') + 1) + target;
        JsonNode root = targetFile == null ? document : files.computeIfAbsent(targetFile, DeclaredMembers::load);
        return new Located(root.at(fragment), targetFile);
    }

    private static JsonNode load(String path) {
        try (InputStream in = DeclaredMembers.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the class path");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
