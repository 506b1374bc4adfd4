package dev.lmpipe.data;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardsTest {
    private final Storage storage = new Storage();

    @TempDir
    Path dir;

    private static int[] ids(int n) {
        var random = new Random(17);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(Shards.MAX_VOCABULARY); // the whole uint16 range, 65535 included
        }
        ids[0] = 0;
        ids[1] = Shards.MAX_VOCABULARY - 1;
        return ids;
    }

    private ShardInfo write(int[] ids) {
        return Shards.write(storage, dir.toString(), "train-00000.shard", Split.train, ids);
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        int[] ids = ids(1_000);

        ShardInfo info = write(ids);

        assertThat(info.file()).isEqualTo("train-00000.shard");
        assertThat(info.split()).isEqualTo(Split.train);
        assertThat(info.tokens()).isEqualTo(1_000);
        assertThat(info.bytes()).isEqualTo(Shards.HEADER_BYTES + 2L * 1_000)
                .isEqualTo(Files.size(dir.resolve("train-00000.shard")));
        assertThat(info.crc32c()).matches("[0-9a-f]{8}");
        assertThat(Shards.read(storage, dir.toString(), info)).containsExactly(ids);
    }

    @Test
    void headerIsLittleEndianWithMagicVersionWidthAndCount() {
        byte[] bytes = Shards.encode(new int[]{0x0102, 0xFFFF});
        assertThat(Arrays.copyOf(bytes, 16)).containsExactly(
                'L', 'M', 'P', 'S', 1, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(bytes, 16, 20)).containsExactly(0x02, 0x01, (byte) 0xFF, (byte) 0xFF);
    }

    @Test
    void readRangeReturnsTheRightSlice() {
        int[] ids = ids(500);
        ShardInfo shard = write(ids);
        String directory = dir.toString();

        assertThat(Shards.readRange(storage, directory, shard, 123, 65)).containsExactly(Arrays.copyOfRange(ids, 123, 188));
        assertThat(Shards.readRange(storage, directory, shard, 0, 3)).containsExactly(Arrays.copyOf(ids, 3));
        assertThat(Shards.readRange(storage, directory, shard, 490, 10)).containsExactly(Arrays.copyOfRange(ids, 490, 500));
    }

    @Test
    void readRangesReturnsEachSliceInTheOrderAsked() {
        int[] ids = ids(500);
        ShardInfo shard = write(ids);

        int[][] ranges = Shards.readRanges(storage, dir.toString(), shard, new long[]{300, 7, 435}, 65);
        assertThat(ranges[0]).containsExactly(Arrays.copyOfRange(ids, 300, 365));
        assertThat(ranges[1]).containsExactly(Arrays.copyOfRange(ids, 7, 72));
        assertThat(ranges[2]).containsExactly(Arrays.copyOfRange(ids, 435, 500));
    }

    @Test
    void flippedByteFailsTheChecksumNamingTheShard() throws IOException {
        ShardInfo info = write(ids(200));
        Path file = dir.resolve(info.file());
        byte[] bytes = Files.readAllBytes(file);
        bytes[Shards.HEADER_BYTES + 77] ^= 0x01;
        Files.write(file, bytes);

        assertThatThrownBy(() -> Shards.read(storage, dir.toString(), info))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining(Storage.child(dir.toString(), info.file()))
                .hasMessageContaining("checksum")
                .hasMessageContaining("corrupt");
    }

    @Test
    void truncatedShardIsDetectedBySize() throws IOException {
        ShardInfo info = write(ids(200));
        Path file = dir.resolve(info.file());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 2));

        assertThatThrownBy(() -> Shards.read(storage, dir.toString(), info))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining(Storage.child(dir.toString(), info.file()))
                .hasMessageContaining((bytes.length - 2) + " bytes")
                .hasMessageContaining(String.valueOf(bytes.length));
    }

    @Test
    void wrongMagicIsRejectedEvenWithAMatchingChecksum() throws IOException {
        byte[] bytes = Shards.encode(ids(10));
        bytes[0] = 'X';
        Files.write(dir.resolve("alien.shard"), bytes);
        // The manifest entry matches the file, so only the header check can catch it.
        var info = new ShardInfo("alien.shard", Split.train, 10, bytes.length, Shards.crc32c(bytes));

        assertThatThrownBy(() -> Shards.read(storage, dir.toString(), info))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("alien.shard")
                .hasMessageContaining("header");
    }

    @Test
    void tokenIdsBeyondUint16AreRefused() {
        assertThatThrownBy(() -> Shards.encode(new int[]{Shards.MAX_VOCABULARY}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536");
        assertThatThrownBy(() -> Shards.encode(new int[]{-1})).isInstanceOf(IllegalArgumentException.class);
    }
}
