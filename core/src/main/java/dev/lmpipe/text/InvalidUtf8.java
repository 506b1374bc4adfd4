package dev.lmpipe.text;

/** What to do with a file holding bytes that are not valid UTF-8. */
public enum InvalidUtf8 {
    /** Replace each invalid byte by U+FFFD and count it. */
    replace,
    /** Leave the whole file out, naming it in the summary. */
    skip,
    /** Stop, naming the file and the byte offset of the first invalid byte. */
    fail
}
