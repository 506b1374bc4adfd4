package dev.lmpipe;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/**
 * The real corpora of {@code ../shared/data} (tinyshakespeare.txt, kjv.txt) beside the repository, for the few
 * tests that need real prose. Without that folder such a test is skipped naming it as the reason; with
 * {@code LMPIPE_REQUIRE_SHARED_DATA=1} in the environment (as {@code .ci/run} sets) its absence fails the test, so
 * that CI can never pass by skipping them.
 */
public final class SharedData {
    /** The folder, seen from a module directory that surefire runs in. */
    public static final Path FOLDER = Path.of("..", "..", "shared", "data");

    private SharedData() {
    }

    /** The corpus file {@code name}, or the test skipped (or failed, when required) if it is absent. */
    public static Path file(String name) {
        Path file = FOLDER.resolve(name);
        if (!Files.isRegularFile(file)) {
            String reason = file.toAbsolutePath().normalize() + " is absent: this test reads the real corpora of"
                    + " ../shared/data";
            if ("1".equals(System.getenv("LMPIPE_REQUIRE_SHARED_DATA"))) {
                fail(reason + " (LMPIPE_REQUIRE_SHARED_DATA=1)");
            }
            // The build's summary counts skipped tests without their reasons: say it where the build log shows it.
            System.err.println("SKIPPED " + reason);
            Assumptions.abort(reason);
        }
        return file;
    }
}
