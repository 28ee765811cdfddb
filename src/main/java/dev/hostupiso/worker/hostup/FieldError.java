package dev.hostupiso.worker.hostup;

/** One entry of an RFC 7807 {@code errors[]}: a JSON pointer into the request and what is wrong there. */
public record FieldError(String pointer, String detail, String code) {
}
