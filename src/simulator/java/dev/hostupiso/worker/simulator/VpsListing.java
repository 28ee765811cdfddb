package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * {@code GET /api/v2/vps}: the VPSs the key may use. Documented: the route, {@code data[].id} and HostUp's list
 * paging ({@code ?limit=} 1-100, default 20; the opaque {@code ?cursor=} of {@code nextCursor};
 * {@code {"data":[…],"hasMore":…,"nextCursor":…}}). Inferred: a VPS the key may not touch is absent, an unusable
 * {@code limit} or {@code cursor} is a 400 {@code invalid_request}, and the entries' other fields.
 */
final class VpsListing {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private VpsListing() {
    }

    static Reply list(Call c, VpsDirectory vpss) {
        int limit = DEFAULT_LIMIT;
        String after = null;
        for (String part : c.query == null ? new String[0] : c.query.split("&")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            if (name.equals("limit")) {
                limit = value.matches("\\d{1,3}") ? Integer.parseInt(value) : -1;
                if (limit < 1 || limit > MAX_LIMIT) {
                    return ProblemRenderer.invalid(c, List.of(ProblemRenderer.error("/limit",
                            "limit must be an integer from 1 to " + MAX_LIMIT + ".", "out_of_range")));
                }
            } else if (name.equals("cursor")) {
                after = decode(value);
                if (after == null) {
                    return ProblemRenderer.invalid(c, List.of(ProblemRenderer.error("/cursor",
                            "cursor is not one this API returned.", "invalid_cursor")));
                }
            }
        }
        return ProblemRenderer.json(200, page(vpss.usable(), after, limit));
    }

    private static ObjectNode page(List<String> ids, String after, int limit) {
        ObjectNode root = HostUpSimulator.JSON.createObjectNode();
        ArrayNode data = root.putArray("data");
        String last = null;
        int remaining = 0;
        for (String id : ids) {
            if (after != null && id.compareTo(after) <= 0) {
                continue;
            }
            if (data.size() == limit) {
                remaining++;
                continue;
            }
            ObjectNode vps = data.addObject();
            vps.put("id", id);
            vps.put("status", "running"); // the simulator's, not documented
            last = id;
        }
        root.put("hasMore", remaining > 0);
        if (remaining > 0) {
            root.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        } else {
            root.putNull("nextCursor");
        }
        return root;
    }

    private static String decode(String cursor) {
        try {
            String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return id.isEmpty() ? null : id;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
