package dev.hostupiso.worker.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A VPS's ISO library over HTTP: the list, mount and unmount. */
final class IsoLibrary {

    private static final Pattern DEVICE = Pattern.compile("ide[0-3]");

    private IsoLibrary() {
    }

    /** {@code GET /api/v2/vps/{id}/iso}. */
    static Reply list(Call c, VpsScript vps) {
        ObjectNode root = HostUpSimulator.JSON.createObjectNode();
        synchronized (vps) {
            vps.settle(c.now());
            ArrayNode available = root.putArray("available");
            for (VpsScript.Iso i : vps.readList()) {
                ObjectNode o = available.addObject();
                o.put("id", i.id);
                o.put("name", i.name);
                o.put("displayName", i.displayName);
                o.put("sizeGb", i.sizeGb);
                o.put("format", i.format);
                o.put("storage", "local"); // unknown extra
            }
            Map<String, String> m = vps.mountedLocked();
            mounted(root.putArray("mounted"), m);
            root.putNull("bootOrder");
            devices(root.putArray("availableDevices"), m);
            actions(root.putObject("actions"), vps);
        }
        return ProblemRenderer.json(200, root);
    }

    private static void mounted(ArrayNode mounted, Map<String, String> m) {
        for (Map.Entry<String, String> e : m.entrySet()) {
            ObjectNode o = mounted.addObject();
            o.put("device", e.getKey());
            o.put("isoId", e.getValue());
            o.put("mounted", true);
            o.put("isCloudInit", false);
        }
    }

    private static void devices(ArrayNode devices, Map<String, String> m) {
        ObjectNode d2 = devices.addObject();
        d2.put("device", "ide2");
        d2.put("type", "existing_cdrom");
        d2.put("description", "CD/DVD 3");
        d2.put("inUse", m.containsKey("ide2"));
        ObjectNode d3 = devices.addObject();
        d3.put("device", "ide3");
        d3.put("type", "new_cdrom");
        d3.put("description", "New CD/DVD drive (IDE 3)");
        d3.put("inUse", m.containsKey("ide3"));
    }

    private static void actions(ObjectNode actions, VpsScript vps) {
        ObjectNode cm = actions.putObject("canMount");
        cm.put("allowed", true);
        cm.putNull("reason");
        ObjectNode cu = actions.putObject("canUpload");
        cu.put("allowed", vps.canUploadAllowed());
        cu.put("reason", vps.canUploadReason());
        cu.put("code", vps.canUploadCode());
    }

    /**
     * {@code POST /api/v2/vps/{id}/iso/actions/mount}: 200 and mounted at once, or (when the VPS's mounts take
     * time) 202 with a mount job, registered through {@code jobs}.
     */
    static Reply mount(Call c, VpsScript vps, java.util.function.Consumer<VpsScript.Job> jobs) {
        JsonNode root = FromUrlRequest.parseObject(c.body);
        if (root == null) {
            return ProblemRenderer.notAnObject(c);
        }
        List<ObjectNode> errors = new ArrayList<>();
        JsonNode iso = root.get("isoId");
        if (iso == null || iso.isNull() || (iso.isTextual() && iso.asText().isBlank())) {
            errors.add(ProblemRenderer.error("/isoId", "isoId is required.", "missing_required"));
        } else if (!iso.isTextual()) {
            errors.add(ProblemRenderer.error("/isoId", "isoId must be a string.", "invalid_format"));
        }
        String device = deviceOf(root, errors);
        if (!errors.isEmpty()) {
            return ProblemRenderer.invalid(c, errors);
        }
        String dev = device == null ? "ide2" : device;
        synchronized (vps) {
            vps.settle(c.now());
            if (vps.findById(iso.asText()) == null) {
                return ProblemRenderer.problem(c, 404, "iso_not_found", "ISO " + iso.asText() + " was not found.");
            }
            VpsScript.Job job = vps.newMountJob(HostUpSimulator.newId("job_"), c.seq, iso.asText(), dev, c.now());
            if (job != null) {
                jobs.accept(job);
                ObjectNode queued = HostUpSimulator.JSON.createObjectNode();
                ObjectNode op = queued.putObject("operation");
                op.put("status", "queued");
                op.put("jobId", job.id);
                op.put("pollUrl", "/api/jobs/" + job.id);
                return ProblemRenderer.json(202, queued);
            }
            vps.mountedLocked().put(dev, iso.asText());
        }
        ObjectNode out = HostUpSimulator.JSON.createObjectNode();
        out.put("device", dev);
        out.put("isoId", iso.asText());
        out.put("mounted", true);
        return ProblemRenderer.json(200, out);
    }

    /** {@code POST /api/v2/vps/{id}/iso/actions/unmount}; an empty body unmounts the first device. */
    static Reply unmount(Call c, VpsScript vps) {
        JsonNode root = HostUpSimulator.JSON.createObjectNode();
        if (c.body.length > 0 && !new String(c.body, StandardCharsets.UTF_8).isBlank()) {
            root = FromUrlRequest.parseObject(c.body);
            if (root == null) {
                return ProblemRenderer.notAnObject(c);
            }
        }
        List<ObjectNode> errors = new ArrayList<>();
        String device = deviceOf(root, errors);
        if (!errors.isEmpty()) {
            return ProblemRenderer.invalid(c, errors);
        }
        String dev;
        synchronized (vps) {
            Map<String, String> m = vps.mountedLocked();
            dev = device != null ? device : m.isEmpty() ? "ide2" : m.keySet().iterator().next();
            m.remove(dev);
        }
        ObjectNode out = HostUpSimulator.JSON.createObjectNode();
        out.put("device", dev);
        return ProblemRenderer.json(200, out);
    }

    private static String deviceOf(JsonNode root, List<ObjectNode> errors) {
        JsonNode dev = root.get("device");
        if (dev == null || dev.isNull()) {
            return null;
        }
        if (!dev.isTextual() || !DEVICE.matcher(dev.asText()).matches()) {
            errors.add(ProblemRenderer.error("/device", "device must be one of ide0, ide1, ide2, ide3.",
                    "invalid_value"));
            return null;
        }
        return dev.asText();
    }
}
