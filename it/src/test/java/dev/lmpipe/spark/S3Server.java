package dev.lmpipe.spark;

import dev.lmpipe.storage.Storage;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A real S3 API server on loopback (s3proxy over jclouds' filesystem store in a local folder), with the s3a
 * settings that reach it. It can be stopped and started again on the same port over the same folder, and a
 * test can act at the moment a given object is being written.
 */
final class S3Server implements AutoCloseable {
    static final String ACCESS_KEY = "lmpipe-test-access";
    /** Never to appear in any output, report or exception: the tests search for it. */
    static final String SECRET_KEY = "lmpipe-test-secret-7f3c9e1d";

    private final Path folder;
    private final String bucket;
    private final int port;
    private S3Proxy proxy;
    private BlobStore blobStore;
    private volatile String interceptedKey;
    private volatile Consumer<S3Server> interception;

    S3Server(Path folder, String bucket) throws Exception {
        this.folder = folder;
        this.bucket = bucket;
        try (var socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        start();
        blobStore.createContainerInLocation(null, bucket);
    }

    void start() throws Exception {
        var properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", folder.toString());
        BlobStore files = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
                .overrides(properties).build(BlobStoreContext.class).getBlobStore();
        blobStore = new Intercepting(files);
        proxy = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
    }

    void stop() throws Exception {
        proxy.stop();
    }

    /** The stored objects, as files under this folder (bucket/key). */
    Path folder() {
        return folder;
    }

    String root() {
        return "s3a://" + bucket + "/";
    }

    /**
     * When an object with this key (without the bucket) is written, run {@code action} and fail the write:
     * the client sees an error, nothing is stored.
     */
    void onWrite(String key, Consumer<S3Server> action) {
        interceptedKey = key;
        interception = action;
    }

    /**
     * The Hadoop settings that reach this server through s3a, with retries cut short so that an outage fails a
     * write in about a second instead of retrying for many minutes.
     */
    Map<String, String> settings(Path scratch) {
        var settings = new TreeMap<String, String>();
        settings.put("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        settings.put("fs.s3a.path.style.access", "true");
        settings.put("fs.s3a.connection.ssl.enabled", "false");
        settings.put("fs.s3a.access.key", ACCESS_KEY);
        settings.put("fs.s3a.secret.key", SECRET_KEY);
        settings.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        // jclouds' filesystem store keeps a directory marker as a real directory, which s3a's default marker
        // deletion after every PUT makes it retry for seconds.
        settings.put("fs.s3a.directory.marker.retention", "keep");
        settings.put("fs.s3a.buffer.dir", scratch.resolve("s3a-buffer").toString());
        settings.put("fs.s3a.attempts.maximum", "1");
        settings.put("fs.s3a.retry.limit", "1");
        settings.put("fs.s3a.retry.interval", "100ms");
        settings.put("fs.s3a.retry.throttle.limit", "1");
        settings.put("fs.s3a.retry.throttle.interval", "100ms");
        settings.put("fs.s3a.connection.establish.timeout", "1000");
        settings.put("fs.s3a.connection.timeout", "5000");
        return settings;
    }

    Storage storage(Path scratch) {
        return new Storage(settings(scratch));
    }

    @Override
    public void close() throws Exception {
        if (proxy != null && !"STOPPED".equals(proxy.getState())) {
            proxy.stop();
        }
    }

    private final class Intercepting extends ForwardingBlobStore {
        Intercepting(BlobStore delegate) {
            super(delegate);
        }

        private void check(Blob blob) {
            var action = interception;
            if (action != null && blob.getMetadata().getName().equals(interceptedKey)) {
                interception = null;
                action.accept(S3Server.this);
                throw new IllegalStateException("write of " + interceptedKey + " intercepted by the test");
            }
        }

        @Override
        public String putBlob(String container, Blob blob) {
            check(blob);
            return delegate().putBlob(container, blob);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            check(blob);
            return delegate().putBlob(container, blob, options);
        }
    }
}
