package dev.lmpipe.text;

/** What to do with bytes that are not valid UTF-8. */
public enum InvalidUtf8 {
    /** Replace each invalid byte by U+FFFD and count it. */
    replace,
    /** Stop, naming the file and the byte offset. */
    fail
}
