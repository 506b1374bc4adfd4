package dev.lmpipe;

/**
 * A user's mistake: a bad path, a bad setting, bad input. The message names the file, line, key or value
 * and says what to do; the command line prints it without a stack trace and exits non-zero. Bugs are not
 * LmpipeExceptions.
 */
public class LmpipeException extends RuntimeException {
    public LmpipeException(String message) {
        super(message);
    }

    public LmpipeException(String message, Throwable cause) {
        super(message, cause);
    }
}
