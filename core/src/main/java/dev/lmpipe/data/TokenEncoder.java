package dev.lmpipe.data;

import dev.lmpipe.storage.Storage;
import dev.lmpipe.text.Vocabulary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * For tokenizers whose token count is not known before encoding (BPE): encodes one reading task's segments of
 * clean text into token parts, one per split, and returns the segments re-expressed in tokens of those parts.
 */
public final class TokenEncoder {
    private TokenEncoder() {
    }

    public static List<Segment> encode(Storage storage, String dataset, int task, List<Segment> segments, Vocabulary vocabulary) {
        var encoded = new ArrayList<Segment>();
        Map<Split, OutputStream> streams = new EnumMap<>(Split.class);
        Map<Split, Long> written = new EnumMap<>(Split.class);
        try {
            for (Segment segment : segments) {
                byte[] text = new byte[(int) segment.length()];
                storage.readFully(Parts.text(dataset, task, segment.split()), new long[]{segment.start()}, new byte[][]{text});
                int[] ids = vocabulary.encodeUtf8(text);
                var out = streams.computeIfAbsent(segment.split(),
                        s -> new BufferedOutputStream(storage.create(Parts.tokens(dataset, task, s)), 1 << 20));
                var bytes = ByteBuffer.allocate(ids.length * Shards.TOKEN_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int id : ids) {
                    bytes.putShort((short) id);
                }
                out.write(bytes.array());
                long at = written.getOrDefault(segment.split(), 0L);
                written.put(segment.split(), at + ids.length);
                encoded.add(new Segment(segment.source(), segment.offset(), task, segment.split(), at, ids.length,
                        segment.characters()));
            }
            for (OutputStream out : streams.values()) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write token parts of task " + task + " in " + dataset, e);
        }
        return encoded;
    }
}
