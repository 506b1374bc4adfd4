package dev.lmpipe.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.nio.file.Path;

/** A real HDFS: Hadoop's MiniDFSCluster (a name node and one data node) in this JVM, on loopback. */
final class HdfsServer implements AutoCloseable {
    private final MiniDFSCluster cluster;

    HdfsServer(Path folder) throws Exception {
        cluster = new MiniDFSCluster.Builder(new Configuration(), folder.toFile()).numDataNodes(1).format(true).build();
        cluster.waitActive();
    }

    String root() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort() + "/";
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
