package dev.hostupiso.worker.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The mutable script (and state: ISO library, jobs, mounts) of one simulated VPS, obtained from
 * {@link HostUpSimulator#vps(String)}. All setters return {@code this} and are thread-safe; behaviour
 * settings that shape a job ({@link #jobDuration}, {@link #failJobs}, {@link #jobUnknownForPolls},
 * {@link #listingLag}, {@link #neverList}) are captured when the job is created by a from-url call.
 */
public final class VpsScript {

    /** The Proxmox task's result when the file appeared while it ran. */
    public static final String OVERRIDE_REFUSED = "refusing to override existing file";

    private final String vpsId;

    // ---- script (guarded by this)
    private Duration jobDuration = Duration.ZERO;
    private Duration mountDuration = Duration.ZERO;
    private JobEnvelope envelope = JobEnvelope.V1_GENERIC;
    private DownloadShape downloadShape = DownloadShape.LINEAR;
    private String failMessage;
    private int unknownPolls;
    private int listingLag;
    private boolean neverList;
    private boolean forbidden;
    private boolean canUpload = true;
    private String canUploadReason;
    private String canUploadCode;
    private final Map<Endpoint, Deque<ScriptedResponse>> queues = new EnumMap<>(Endpoint.class);

    // ---- state (guarded by this)
    private final List<Iso> library = new ArrayList<>();
    private final List<Job> pending = new ArrayList<>();
    private final Map<String, String> mounted = new LinkedHashMap<>(); // device -> isoId

    VpsScript(String vpsId, boolean stockIsos) {
        this.vpsId = vpsId;
        if (stockIsos) {
            library.add(new Iso("iso_stock_debian12", "debian-12.iso", null, 0.6, "iso", 0, false));
            library.add(new Iso("iso_stock_ubuntu2204", "ubuntu-22.04.5-live-server-amd64.iso",
                    "Ubuntu 22.04 LTS", 2.0, "iso", 0, false));
            library.add(new Iso("iso_stock_virtio", null, "VirtIO drivers for Windows", 0.7, null, 0, false));
        }
    }

    /** The VPS id this script belongs to. */
    public String vpsId() {
        return vpsId;
    }

    /**
     * How long a mount takes: {@code ZERO} (the default) mounts at once and answers 200; longer answers 202 with a
     * mount job to poll, and the ISO shows in {@code mounted[]} only when that job completes.
     */
    public synchronized VpsScript mountDuration(Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("mountDuration must be >= 0");
        }
        this.mountDuration = d;
        return this;
    }

    /** A mount job for {@code isoId} on {@code device}, if mounts take time here (else null). Caller holds the lock. */
    Job newMountJob(String jobId, long seq, String isoId, String device, Instant now) {
        if (mountDuration.isZero()) {
            return null;
        }
        Job j = new Job(jobId, seq, this, isoId, now, now.plus(mountDuration), null, 0, 0, false, 0);
        j.mountDevice = device;
        pending.add(j);
        return j;
    }

    /**
     * How long a queued download takes: queued for the first 10%, then {@code in_progress} with a growing
     * percentage, then completed (or failed). Default {@code ZERO}: completed on the first poll.
     */
    public synchronized VpsScript jobDuration(Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("jobDuration must be >= 0");
        }
        this.jobDuration = d;
        return this;
    }

    /**
     * How the progress of this VPS's new downloads moves ({@link DownloadShape}); a filename naming a
     * shape ({@code shape-<name>}) overrides it per job. Default {@link DownloadShape#LINEAR}.
     */
    public synchronized VpsScript downloadShape(DownloadShape shape) {
        this.downloadShape = Objects.requireNonNull(shape, "shape");
        return this;
    }

    /** Envelope of job polls (evaluated at each poll). Default {@link JobEnvelope#V1_GENERIC}. */
    public synchronized VpsScript envelope(JobEnvelope e) {
        this.envelope = Objects.requireNonNull(e, "envelope");
        return this;
    }

    /**
     * New downloads end failed, with result {@code {"error":"download_failed","message":message}};
     * {@code null} makes new downloads succeed again.
     */
    public synchronized VpsScript failJobs(String message) {
        this.failMessage = message;
        return this;
    }

    /** The first {@code n} polls of each new job answer 404 {@code job_not_found} (the Proxmox race). */
    public synchronized VpsScript jobUnknownForPolls(int n) {
        this.unknownPolls = Math.max(0, n);
        return this;
    }

    /**
     * After a job completes, its ISO is missing from the first {@code reads} list reads (counted from the first
     * read after completion) and shows from the {@code reads+1}-th.
     */
    public synchronized VpsScript listingLag(int reads) {
        this.listingLag = Math.max(0, reads);
        return this;
    }

    /** Completed downloads never show up in the list (the file still exists: from-url answers 200 for it). */
    public synchronized VpsScript neverList() {
        this.neverList = true;
        return this;
    }

    /** Puts an ISO in the library, visible at once; from-url for that filename answers 200 completed. */
    public synchronized VpsScript preexisting(String filename, String isoId) {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(isoId, "isoId");
        library.removeIf(i -> filename.equals(i.name) || isoId.equals(i.id));
        library.add(new Iso(isoId, filename, displayNameOf(filename), sizeGbOf(filename), formatOf(filename), 0,
                false));
        return this;
    }

    /** {@link #preexisting(String, String)} with a generated {@code iso_…} id. */
    public VpsScript preexisting(String filename) {
        return preexisting(filename, HostUpSimulator.newId("iso_"));
    }

    /** The API key may not touch this VPS: 403 {@code forbidden} on every endpoint. */
    public VpsScript forbidden() {
        return forbidden(true);
    }

    /** Sets or clears {@link #forbidden()}. */
    public synchronized VpsScript forbidden(boolean forbidden) {
        this.forbidden = forbidden;
        return this;
    }

    /**
     * The list's {@code actions.canUpload}; when not allowed, from-url answers 409 {@code upload_not_allowed}
     * (detail = reason).
     */
    public synchronized VpsScript canUpload(boolean allowed, String reason, String code) {
        this.canUpload = allowed;
        this.canUploadReason = reason;
        this.canUploadCode = code;
        return this;
    }

    /**
     * Queues {@code r} (FIFO) for the next call to {@code ep} on this VPS ({@link Endpoint#JOB}: polls of this
     * VPS's jobs), replacing normal handling. Scripted answers are consumed only by authenticated calls that
     * passed the scope check and the VPS/job lookup, and are not consumed by calls the simulator's own
     * rate limiter rejects.
     */
    public synchronized VpsScript enqueue(Endpoint ep, ScriptedResponse r) {
        queues.computeIfAbsent(Objects.requireNonNull(ep, "endpoint"), k -> new ArrayDeque<>())
                .addLast(Objects.requireNonNull(r, "response"));
        return this;
    }

    /**
     * The next {@code n} from-url calls queue their job as normal, then lose the answer: the client gets
     * {@code answer} instead (see {@link ScriptedResponse#afterHandling(ScriptedResponse)}).
     */
    public synchronized VpsScript loseFromUrlAnswers(int n, ScriptedResponse answer) {
        ScriptedResponse r = ScriptedResponse.afterHandling(answer);
        for (int i = 0; i < n; i++) {
            enqueue(Endpoint.FROM_URL, r);
        }
        return this;
    }

    /** Number of scripted responses still queued for {@code ep}. */
    public synchronized int queued(Endpoint ep) {
        Deque<ScriptedResponse> q = queues.get(ep);
        return q == null ? 0 : q.size();
    }

    /** Filenames currently in the library (including entries not yet or never listed; stock names that are null skipped). */
    public synchronized List<String> libraryNames() {
        List<String> names = new ArrayList<>();
        for (Iso i : library) {
            if (i.name != null) {
                names.add(i.name);
            }
        }
        return names;
    }

    /** Currently mounted ISOs: device to ISO id. */
    public synchronized Map<String, String> mounts() {
        return new LinkedHashMap<>(mounted);
    }

    // ------------------------------------------------------------------ internals (caller holds no lock)

    synchronized ScriptedResponse nextScripted(Endpoint ep) {
        Deque<ScriptedResponse> q = queues.get(ep);
        return q == null ? null : q.pollFirst();
    }

    synchronized boolean isForbidden() {
        return forbidden;
    }

    synchronized JobEnvelope envelope() {
        return envelope;
    }

    synchronized boolean canUploadAllowed() {
        return canUpload;
    }

    synchronized String canUploadReason() {
        return canUploadReason;
    }

    synchronized String canUploadCode() {
        return canUploadCode;
    }

    /** Applies the outcome of every job whose time has come, in completion order. Caller holds the lock. */
    void settle(Instant now) {
        assert Thread.holdsLock(this);
        if (pending.isEmpty()) {
            return;
        }
        pending.sort(Comparator.comparing((Job j) -> j.finishAt).thenComparingLong(j -> j.seq));
        while (!pending.isEmpty() && !now.isBefore(pending.get(0).finishAt)) {
            Job j = pending.remove(0);
            j.done = true;
            if (j.failMessage != null) {
                j.failed = true;
            } else if (j.mountDevice != null) {
                mounted.put(j.mountDevice, j.filename); // a mount job: its "filename" is the ISO id
            } else {
                Iso existing = findByName(j.filename);
                if (existing != null) {
                    // Proxmox's download-url does not rename over a file that appeared meanwhile (e.g. from a
                    // concurrent download of the same name): the later task fails.
                    j.failed = true;
                    j.refusedOverride = true;
                } else {
                    Iso iso = new Iso(HostUpSimulator.newId("iso_"), j.filename, displayNameOf(j.filename),
                            sizeGbOf(j.filename), formatOf(j.filename), j.listingLag, j.neverList);
                    library.add(iso);
                    j.isoId = iso.id;
                }
            }
        }
    }

    /** Caller holds the lock. */
    Iso findByName(String name) {
        for (Iso i : library) {
            if (name.equals(i.name)) {
                return i;
            }
        }
        return null;
    }

    /** Caller holds the lock. */
    Iso findById(String id) {
        for (Iso i : library) {
            if (id.equals(i.id)) {
                return i;
            }
        }
        return null;
    }

    /** A new download job, script captured now. Caller holds the lock. */
    Job newJob(String jobId, long seq, String filename, Instant now) {
        DownloadShape shape = DownloadShape.inFilename(filename).orElse(downloadShape);
        String failure = failMessage == null && shape.fails() ? "Connection reset by the origin at 80 %" : failMessage;
        Job j = new Job(jobId, seq, this, filename, now, now.plus(jobDuration), failure, unknownPolls,
                listingLag, neverList, (long) (sizeGbOf(filename) * 1_000_000_000L));
        j.shape = shape;
        pending.add(j);
        return j;
    }

    /** A job that is already completed (from-url for a file already in the library). Caller holds the lock. */
    Job completedJob(String jobId, long seq, Iso iso, Instant now) {
        Job j = new Job(jobId, seq, this, iso.name, now, now, null, 0, 0, false,
                (long) (iso.sizeGb * 1_000_000_000L));
        j.done = true;
        j.alreadyExisted = true;
        j.isoId = iso.id;
        return j;
    }

    /** One list read: the ISOs visible now, consuming listing lag. Caller holds the lock and has settled. */
    List<Iso> readList() {
        List<Iso> out = new ArrayList<>();
        for (Iso i : library) {
            if (i.neverList) {
                continue;
            }
            if (i.hiddenReads > 0) {
                i.hiddenReads--;
                continue;
            }
            out.add(i);
        }
        return out;
    }

    /** Caller holds the lock. */
    Map<String, String> mountedLocked() {
        return mounted;
    }

    static String formatOf(String filename) {
        String lower = filename.toLowerCase(Locale.ROOT);
        return lower.endsWith(".img") ? "img" : "iso";
    }

    static String displayNameOf(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot > 0 ? filename.substring(0, dot) : filename;
    }

    static double sizeGbOf(String filename) {
        return 0.5 + Math.floorMod(filename.hashCode(), 60) / 10.0;
    }

    /** An ISO library entry. Mutable fields guarded by the owning VpsScript. */
    static final class Iso {
        final String id;
        final String name;
        final String displayName;
        final double sizeGb;
        final String format;
        int hiddenReads;
        final boolean neverList;

        Iso(String id, String name, String displayName, double sizeGb, String format, int hiddenReads,
            boolean neverList) {
            this.id = id;
            this.name = name;
            this.displayName = displayName;
            this.sizeGb = sizeGb;
            this.format = format;
            this.hiddenReads = hiddenReads;
            this.neverList = neverList;
        }
    }

    /** A download job. Mutable fields guarded by {@link #vps}. */
    static final class Job {
        final String id;
        final long seq;
        final VpsScript vps;
        final String filename;
        final Instant createdAt;
        final Instant finishAt;
        final String failMessage;
        int unknownPollsLeft;
        final int listingLag;
        final boolean neverList;
        final long sizeBytes;
        /** How its reported progress moves. */
        DownloadShape shape = DownloadShape.LINEAR;
        boolean done;
        boolean failed;
        boolean alreadyExisted;
        /** Failed because the file was already in place when it finished. */
        boolean refusedOverride;
        /** A mount job's drive (its {@code filename} is then the ISO id); null for a download. */
        String mountDevice;
        String isoId;

        /** The failure message once failed: the scripted one, or Proxmox's refusal. */
        String failure() {
            return refusedOverride ? OVERRIDE_REFUSED : failMessage;
        }

        Job(String id, long seq, VpsScript vps, String filename, Instant createdAt, Instant finishAt,
            String failMessage, int unknownPollsLeft, int listingLag, boolean neverList, long sizeBytes) {
            this.id = id;
            this.seq = seq;
            this.vps = vps;
            this.filename = filename;
            this.createdAt = createdAt;
            this.finishAt = finishAt;
            this.failMessage = failMessage;
            this.unknownPollsLeft = unknownPollsLeft;
            this.listingLag = listingLag;
            this.neverList = neverList;
            this.sizeBytes = sizeBytes;
        }
    }
}
