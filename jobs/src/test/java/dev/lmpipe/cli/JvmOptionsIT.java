package dev.lmpipe.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * conf/jvm-options (the launcher's, surefire's and executors' flags), the jar's Add-Opens list and the driver's and
 * executors' flags in conf/spark-submit.properties agree.
 */
class JvmOptionsIT {
    @Test
    void jarManifestOpensTheSamePackagesAsConfJvmOptions() throws Exception {
        var fromConf = Files.readAllLines(Path.of("..", "conf", "jvm-options")).stream()
                .filter(line -> line.startsWith("--add-opens="))
                .map(line -> line.substring("--add-opens=".length()).replace("=ALL-UNNAMED", ""))
                .sorted().toList();
        try (var jar = new JarFile(Path.of("target", "lmpipe.jar").toFile())) {
            var fromManifest = java.util.Arrays.stream(jar.getManifest().getMainAttributes().getValue("Add-Opens").split(" "))
                    .sorted().toList();
            assertThat(fromManifest).isEqualTo(fromConf).isNotEmpty();
        }
    }

    @Test
    void sparkSubmitPropertiesGiveDriverAndExecutorsTheFlagsOfConfJvmOptions() throws Exception {
        var fromConf = Files.readAllLines(Path.of("..", "conf", "jvm-options")).stream()
                .filter(line -> !line.isBlank()).sorted().toList();
        var properties = new java.util.Properties();
        try (var in = Files.newBufferedReader(Path.of("..", "conf", "spark-submit.properties"))) {
            properties.load(in);
        }
        for (String key : java.util.List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
            var flags = java.util.Arrays.stream(properties.getProperty(key, "").split(" "))
                    .filter(flag -> flag.startsWith("--add-opens=") || flag.startsWith("-Dorg.bytedeco.javacpp.maxPhysicalBytes="))
                    .sorted().toList();
            assertThat(flags).as(key).isEqualTo(fromConf).isNotEmpty();
        }
    }
}
