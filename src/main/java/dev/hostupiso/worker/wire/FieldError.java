package dev.hostupiso.worker.wire;

/**
 * One entry of an RFC 7807 {@code errors[]}: a JSON pointer into the request and what is wrong there.
 * Each part is cut to its {@link Bounds} limit on construction, whoever builds it.
 */
public record FieldError(String pointer, String detail, String code) {

    public FieldError {
        pointer = Bounds.truncate(pointer, Bounds.ERROR_POINTER);
        detail = Bounds.truncate(detail, Bounds.ERROR_DETAIL);
        code = Bounds.truncate(code, Bounds.ERROR_CODE);
    }
}
