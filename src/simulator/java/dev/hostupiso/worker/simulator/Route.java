package dev.hostupiso.worker.simulator;

/** A matched route: the endpoint, the method it takes, and the VPS or job id in its path. */
record Route(Endpoint endpoint, String method, String vpsId, String jobId) {

    /** The route of {@code path}, or null if no route matches. */
    static Route of(String path) {
        String[] s = path.split("/", -1);
        if (s.length < 4 || !s[0].isEmpty() || !"api".equals(s[1])) {
            return null;
        }
        if (s.length == 4 && "v2".equals(s[2]) && "vps".equals(s[3])) {
            return new Route(Endpoint.VPS_LIST, "GET", null, null);
        }
        if (s.length == 4 && "jobs".equals(s[2]) && !s[3].isEmpty()) {
            return new Route(Endpoint.JOB, "GET", null, s[3]);
        }
        if (s.length >= 6 && "v2".equals(s[2]) && "vps".equals(s[3]) && !s[4].isEmpty() && "iso".equals(s[5])) {
            return vpsRoute(s);
        }
        return null;
    }

    private static Route vpsRoute(String[] s) {
        String vps = s[4];
        if (s.length == 6) {
            return new Route(Endpoint.ISO_LIST, "GET", vps, null);
        }
        if (s.length != 8 || !"actions".equals(s[6])) {
            return null;
        }
        switch (s[7]) {
            case "from-url":
                return new Route(Endpoint.FROM_URL, "POST", vps, null);
            case "mount":
                return new Route(Endpoint.MOUNT, "POST", vps, null);
            case "unmount":
                return new Route(Endpoint.UNMOUNT, "POST", vps, null);
            default:
                return null;
        }
    }
}
