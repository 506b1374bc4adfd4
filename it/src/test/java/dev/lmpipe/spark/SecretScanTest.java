package dev.lmpipe.spark;

import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** StoragePipelineIT trusts SecretScan to find a leak: each form and hiding place it claims to search. */
class SecretScanTest {
    private static final String SECRET = "not-a-real-secret-42";

    @TempDir
    Path folder;

    private static byte[] zip(String name, byte[] content) throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
        }
        return bytes.toByteArray();
    }

    @Test
    void findsTheSecretInEveryFormAndHidingPlaceItSearches() throws Exception {
        byte[] text = ("key=" + SECRET + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(folder.resolve("plain.log"), text);
        Files.write(folder.resolve("heap.bin"), SECRET.getBytes(StandardCharsets.UTF_16LE));
        var kryo = new Output(64);
        kryo.writeString(SECRET);
        Files.write(folder.resolve("block.kryo"), kryo.toBytes());
        var gzipped = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(text);
        }
        Files.write(folder.resolve("part.gz"), gzipped.toByteArray());
        Files.write(folder.resolve("checkpoint.zip"), zip("model.zip", zip("configuration.json", text)));
        Files.createDirectory(folder.resolve("named-" + SECRET));

        var scan = new SecretScan(SECRET);
        scan.folder("folder", folder, FileTime.fromMillis(0), Set.of());
        scan.output("output", text);

        assertThat(String.join("\n", scan.findings())).contains("plain.log (UTF-8)", "heap.bin (UTF-16LE)",
                "block.kryo (Kryo ASCII)", "part.gz (gunzipped) (UTF-8)",
                "checkpoint.zip!model.zip!configuration.json (UTF-8)", "the name of " + folder.resolve("named-" + SECRET),
                "output (UTF-8)");
        // Compressed, the secret's bytes are not in the gzip and zip files themselves.
        assertThat(scan.findings()).hasSize(7);
        assertThat(scan.tally("folder").files()).isEqualTo(5);
        assertThat(scan.files()).isEqualTo(6);
    }

    @Test
    void passesOverFilesUnchangedSinceTheRunBeganAndFoldersSearchedApart() throws Exception {
        Path old = Files.write(folder.resolve("old.log"), SECRET.getBytes(StandardCharsets.UTF_8));
        Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Path apart = Files.createDirectory(folder.resolve("apart"));
        Files.write(apart.resolve("new.log"), SECRET.getBytes(StandardCharsets.UTF_8));
        Files.write(folder.resolve("clean.log"), "nothing here".getBytes(StandardCharsets.UTF_8));

        var scan = new SecretScan(SECRET);
        scan.folder("folder", folder, FileTime.from(Instant.parse("2021-01-01T00:00:00Z")), Set.of(apart));

        assertThat(scan.findings()).isEmpty();
        assertThat(scan.tally("folder")).isEqualTo(new SecretScan.Tally("folder", 1, 1, 12, 0));
    }
}
